"""The one error a job can be refused with: a message code, its parameters and an English sentence (exit code 2)."""


class JobError(Exception):
    """The job folder cannot be run as it is; `text` says what to change."""

    def __init__(self, code, text, **params):
        super().__init__(text)
        self.code = code
        self.text = text
        self.params = params


class Stopped(Exception):
    """SIGTERM/SIGINT arrived: the job stops after the current batch (exit code 3)."""


class TrainingFailed(Exception):
    """Training cannot go on (e.g. the loss became NaN); the run fails with a message (exit code 4)."""

    def __init__(self, code, text, **params):
        super().__init__(text)
        self.code = code
        self.text = text
        self.params = params
