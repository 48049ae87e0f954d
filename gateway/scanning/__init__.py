"""Finding contact details and off-platform payment in message content.

`scanner.Scanner` runs detectors (one module per family) over the texts that `text.extract`
takes out of a message. Nothing here knows about SMTP or the database.
"""
