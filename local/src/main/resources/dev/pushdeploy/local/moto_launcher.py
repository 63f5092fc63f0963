"""Starts moto_server for the pushdeploy local runtime.

Usage: python3 moto_launcher.py PORT

Environment:
  MOTO_PORT                    where moto's Step Functions interpreter sends Lambda invokes and
                               aws-sdk integration calls (http://localhost:$MOTO_PORT): the local
                               endpoint of the runtime, not this server.
  PUSHDEPLOY_SFN_TIME_SCALE    optional factor (0 < f <= 1) applied to Wait states and Retry
                               intervals, so tests run the real state machine in less wall time.

Two patches, both measured on moto 5.2.1:
  * StartExecution deep-copies the state machine, which reaches the executions (and their
    locks) of earlier runs; the copy fails and every later StartExecution answers 500. The
    state machine gets a __deepcopy__ that shares the executions list and the backend.
  * StopExecution marks the execution ABORTED, but the interpreter thread then trips over the
    stopped environment (IndexError: pop from empty list) and reports the execution FAILED with
    States.Runtime. A stopped execution now stays ABORTED.
  * (optional) the time scale above.
Executing state machines is switched on by the runtime through POST /moto-api/config.
"""
import copy
import os
import sys
import time

from moto.stepfunctions.models import StateMachine

_SHARED = ("executions", "backend", "versions", "latest_version", "aliases")


def _state_machine_deepcopy(self, memo):
    clone = self.__class__.__new__(self.__class__)
    memo[id(self)] = clone
    for name, value in self.__dict__.items():
        setattr(clone, name, value if name in _SHARED else copy.deepcopy(value, memo))
    return clone


StateMachine.__deepcopy__ = _state_machine_deepcopy


def _keep_stopped_executions_aborted():
    from moto.stepfunctions.parser.backend import execution as parsed

    stop = parsed.Execution.stop
    reflect = parsed.BaseExecutionWorkerCommunication._reflect_execution_status

    def stop_and_remember(self, stop_date, error, cause):
        self.pushdeploy_stopped = (error, cause)
        stop(self, stop_date, error, cause)

    def reflect_keeping_aborted(self):
        reflect(self)
        stopped = getattr(self.execution, "pushdeploy_stopped", None)
        if stopped is not None:
            self.execution.exec_status = parsed.ExecutionStatus.ABORTED
            self.execution.error, self.execution.cause = stopped

    parsed.Execution.stop = stop_and_remember
    parsed.BaseExecutionWorkerCommunication._reflect_execution_status = reflect_keeping_aborted


_keep_stopped_executions_aborted()


def _scale_time(factor):
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction

    def wait_interval(self, env, wait_seconds):
        deadline = time.monotonic() + max(0.0, float(wait_seconds)) * factor
        while env.is_running():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            env.program_state_event.wait(remaining)

    class _ScaledTime:
        def __getattr__(self, name):
            return getattr(time, name)

        @staticmethod
        def sleep(seconds):
            time.sleep(max(0.0, float(seconds)) * factor)

    WaitFunction._wait_interval = wait_interval
    retrier_decl.time = _ScaledTime()


def main():
    port = sys.argv[1]
    scale = float(os.environ.get("PUSHDEPLOY_SFN_TIME_SCALE", "1") or "1")
    if not 0 < scale <= 1:
        sys.exit("PUSHDEPLOY_SFN_TIME_SCALE must be in (0, 1]")
    if scale < 1:
        _scale_time(scale)
    from moto.server import main as moto_main
    moto_main(["-H", "127.0.0.1", "-p", port])


if __name__ == "__main__":
    main()
