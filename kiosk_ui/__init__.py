"""Pages for the kiosk, clerk console, officials, incubator portal and display board."""
