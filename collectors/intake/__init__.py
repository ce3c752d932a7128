"""Intake of what officials forward or hand over: e-mails, screenshots and chat exports.

One module per format turns a file's bytes into `Piece`s (one message each, with its own evidence bytes) or a
`Refusal` (the reason it cannot be taken in); `collectors.spiders.intake` turns those into the same PostItem /
ParkedItem as every other collector, so they go through matching, Kafka, the classifier and triage unchanged.
"""
