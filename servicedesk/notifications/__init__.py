"""Notifications to firms: contacts kept with consent, an outbox written in the
transaction of the event that causes each message, and its delivery by e-mail and SMS."""
