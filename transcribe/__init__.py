"""``kz-transcribe``: the transcription worker. It takes jobs (``transcribe.job`` on the
event exchange: a durable queue on RabbitMQ, the in-process bus under ``kz-all``),
transcribes each participant's track of a transcript with a pluggable engine
(``engines``) and writes the segments on the transcript document, with progress and
the outcome as events (``transcript-progress``, ``transcript-ready``,
``transcript-failed``)."""
