"""A labelled .eml corpus for the contact/payment scanners (see README.md in this folder)."""
