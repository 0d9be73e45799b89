"""Retraining off the UI thread: one worker at a time runs Rehearsal.train_now until the model has every point
(from the command line the rehearsal's trainer hands the fit to a child process: see core/training.py). Follow
mode lives here too, because pressed while the first like is still being learned it waits for this worker."""

from __future__ import annotations

from textual import work
from textual.worker import Worker, WorkerState

from rlfx_tui.tui.app_base import AppBase, log


class TrainingWorker(AppBase):
    _training_worker: Worker[None] | None = None
    _follow_when_trained = False

    @property
    def training(self) -> bool:
        worker = self._training_worker
        return worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    def start_training(self) -> None:
        """Retrain off the UI thread; a running worker picks up newer points itself before it finishes."""
        assert self.main is not None
        if self.training:
            return
        self.main.show_training(True)
        self._training_worker = self._train()

    @work(thread=True, exclusive=True, exit_on_error=False, group="train", name="retrain")
    def _train(self) -> None:
        while self.rehearsal.needs_training:
            self.rehearsal.train_now()  # its ModelTrained reaches the screen through RlfxApp._forward

    def _training_ended(self, worker: Worker[None], state: WorkerState) -> None:
        """The training worker succeeded or failed (RlfxApp.on_worker_state_changed calls this)."""
        self._training_worker = None
        assert self.main is not None
        if state is WorkerState.ERROR:
            error = worker.error
            log.error("retraining failed", exc_info=error)
            self.notify(
                f"{type(error).__name__}: {error} — keeping the previous model",
                title="retraining failed",
                severity="error",
                timeout=8,
            )
            self.main.show_training(False)
        elif self.rehearsal.needs_training:  # points changed just as the worker finished
            self.start_training()
        else:
            self.main.show_training(False)
        if self._follow_when_trained and not self.training:
            self._follow_when_trained = False
            self.act(self.rehearsal.set_follow, True)

    def action_toggle_follow(self) -> None:
        if (
            self.training
            and not self.rehearsal.follow
            and any(p.good for p in self.session.points)
            and not self.session.learner.has_mapping
        ):
            self._follow_when_trained = not self._follow_when_trained  # the first like is still being learned
            if self._follow_when_trained:
                self.notify("follow starts as soon as the model has learned your first like")
            return
        self._follow_when_trained = False
        self.act(self.rehearsal.set_follow, not self.rehearsal.follow)
