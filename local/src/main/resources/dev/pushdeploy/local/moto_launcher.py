"""Starts moto_server for the pushdeploy local runtime.

Usage: python3 moto_launcher.py PORT

Environment:
  MOTO_PORT                    where moto's Step Functions interpreter sends Lambda invokes and
                               aws-sdk integration calls (http://localhost:$MOTO_PORT): the local
                               endpoint of the runtime, not this server.
  PUSHDEPLOY_SFN_TIME_SCALE    optional factor (0 < f <= 1) applied to Wait states and Retry
                               intervals, so tests run the real state machine in less wall time.

Patches, all measured on moto 5.2.1:
  * StartExecution deep-copies the state machine, which reaches the executions (and their
    locks) of earlier runs; the copy fails and every later StartExecution answers 500. The
    state machine gets a __deepcopy__ that shares the executions list and the backend.
  * moto enforces the 256 KiB state payload quota (States.DataLimitExceeded), but lets a
    "States.ALL" Retry or Catch match it, and States.Runtime too. Step Functions does not: both
    are terminal and fail the execution. The ErrorEquals matcher is made to agree.
  * StopExecution only flags the interpreter; moto reports ABORTED once the interpreter has
    unwound, which waits for a Task's Lambda call to return. Step Functions reports ABORTED at
    once (the Lambda runs on, its result ignored): the status and the stop date are set at once.
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


def _terminal_errors_escape_states_all():
    from moto.stepfunctions.parser.asl.component.common.error_name.error_equals_decl import ErrorEqualsDecl
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import StatesErrorNameType

    terminal = {StatesErrorNameType.StatesStatesDataLimitExceeded.to_name(), StatesErrorNameType.StatesRuntime.to_name()}
    states_all = StatesErrorName(typ=StatesErrorNameType.StatesALL)
    original = ErrorEqualsDecl._eval_body

    def eval_body(self, env):
        error_name = env.stack[-1]
        if states_all in self.error_names and getattr(error_name, "error_name", None) in terminal:
            env.stack.pop()
            env.stack.append(error_name in [n for n in self.error_names if n != states_all])
            return
        original(self, env)

    ErrorEqualsDecl._eval_body = eval_body


_terminal_errors_escape_states_all()


def _stop_is_immediate():
    from moto.stepfunctions.parser.api import ExecutionStatus
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication, Execution

    original_stop = Execution.stop
    original_reflect = BaseExecutionWorkerCommunication._reflect_execution_status

    def stop(self, stop_date, error, cause):
        original_stop(self, stop_date, error, cause)
        if self.exec_status == ExecutionStatus.RUNNING:
            self.exec_status = ExecutionStatus.ABORTED
            self.stop_date = stop_date

    def reflect(self):
        if self.execution.exec_status == ExecutionStatus.ABORTED:
            return
        original_reflect(self)

    Execution.stop = stop
    BaseExecutionWorkerCommunication._reflect_execution_status = reflect


_stop_is_immediate()


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
