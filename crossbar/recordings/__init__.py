"""Recordings and transcripts (issue 13): the room's recording (pause, resume, format,
maximum length), each participant's own recording (``uuid_record``), where finished
files are kept (a directory or the store), their history and download (HTTP Range),
retention per account, and transcription jobs for the ``transcribe`` worker.

``crossbar.live.recordings`` starts and stops the room's recording (confirmed by the
switch); this package adds what is around it. ``runtime.parts(live)`` holds the parts
of one crossbar process.
"""
