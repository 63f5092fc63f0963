"""Starts moto_server for the pushdeploy local runtime.

Usage: python3 moto_launcher.py PORT CONTROL_PORT

Environment:
  MOTO_PORT   where moto's Step Functions interpreter sends Lambda invokes and aws-sdk
              integration calls (http://localhost:$MOTO_PORT): the local endpoint of the
              runtime, not this server.

Patches, all measured on moto 5.2.1:
  * StartExecution deep-copies the state machine, which reaches the executions (and their
    locks) of earlier runs; the copy fails and every later StartExecution answers 500. The
    state machine gets a __deepcopy__ that shares the executions list and the backend.
  * Simulated time. The interpreter's clocks (Wait states, Retry intervals, task and
    waitForTaskToken timeouts, history timestamps, execution dates, StopExecution's stop
    date; and ECR's image push dates) read a virtual clock:
    the wall clock plus an offset. The interpreter's threads are counted while they run
    and not while they wait, so the runtime can tell when every execution waits (on a
    timer or on something outside) and move the clock forward to the next timer instead
    of sleeping through it. Its events wake their waiters as threading.Event does, so a stop
    ends a Wait state at once.
  * A log of execution status changes (RUNNING, then how the execution ended), so the
    runtime follows executions without polling every history.
  * Service integrations' parameters in boto3's spelling: Step Functions names them as the API
    does (StateMachineArn, TaskToken, Output), the interpreter passes them to boto3 unchanged,
    and boto3 rejects them (stateMachineArn, taskToken, output). Without it no states:* or
    aws-sdk:sfn:* task runs (the release state machine's do).
  * Step Functions' answers to states:* tasks in the API's spelling (ExecutionArn, Output,
    Error): without it startExecution.sync:2 fails on its own answer.
  * moto enforces the 256 KiB state payload quota (States.DataLimitExceeded), but lets a
    "States.ALL" Retry or Catch match it, and States.Runtime too. Step Functions does not: both
    are terminal and fail the execution. The ErrorEquals matcher is made to agree.
  * StopExecution and the state machine's TimeoutSeconds only flag the interpreter; moto reports
    the end once the interpreter has unwound, which waits for a Task's Lambda call to return, and
    records what the unwinding interpreter still did (the Lambda's result) before the end's event.
    Step Functions ends the execution at once (the Lambda runs on, its result ignored): the status,
    the stop date, the logged status change and the end's event (ExecutionAborted with the stop's
    error and cause; ExecutionTimedOut with States.Timeout; both with previousEventId 0, dated at
    the stop date) are set at once, and the history gets nothing after it. An end landing while a
    Task state built its request made moto's interpreter skip the steps that push its parameters,
    so the request took the state's input in their place (a Lambda timeout that is a JSON object)
    and every later GetExecutionHistory of that execution failed with a 500. moto also drops
    StopExecution's error and cause (DescribeExecution keeps them on Step Functions) and leaves a
    TIMED_OUT execution without a stopDate in DescribeExecution and ListExecutions. The time limit's
    end is dated at the start date plus TimeoutSeconds, not when moto's timer thread got to it (up
    to 0.4 s late on a busy machine), and anything the interpreter does past that instant ends it
    there instead of being recorded. A stop landing while the interpreter still parsed the definition (right after
    the start; a long definition on a busy machine takes a second) answered 500 (no environment to stop yet), or was
    answered and the execution ran on; it now waits for the program to begin, then ends it.
  * An execution a .sync task started (states:startExecution.sync, the release's deployments) runs on
    when the execution that started it is stopped or reaches its time limit. Step Functions stops a
    .sync task's job when its execution ends that way (the .sync policy grants the state machine
    states:StopExecution on the executions it starts for that): the started executions still
    running are stopped with it.
  * An execution's history has no limit; on Step Functions the 25,000th event ends it: that event is
    ExecutionFailed (States.Runtime, "The execution reached the maximum number of history events
    (25000)."), its previousEventId the one before, the execution FAILED with that error and cause.
  * GetExecutionHistory answers every event at once, oldest first, whatever the request asks. Step
    Functions answers a page of maxResults events (100 unless asked, at most 1000), newest first
    when reverseOrder asks, and a nextToken for the rest; an invalid token is InvalidToken.
  * The context object has no Execution.RedriveCount; Step Functions' has (0 until the execution is
    redriven), and a state whose Parameters read it fails without it.
  * There is no RedriveExecution. Step Functions restarts a FAILED, ABORTED or TIMED_OUT Standard execution
    from the state it ended in (the last one entered and never exited), with the input that state entered
    with, same ARN: the history goes on after an ExecutionRedriven event (redriveCount), the context
    object's Execution.RedriveCount counts the redrives, DescribeExecution says redriveCount and
    redriveDate, the state machine's TimeoutSeconds counts from the redrive, and the execution's status
    changes (RUNNING, then its new end) are published again. A RUNNING or SUCCEEDED execution, or one
    that reached the history's limit, is ExecutionNotRedrivable. It resumes in a top-level state; a
    Parallel state it ended in runs again whole, where Step Functions runs again only the branches that
    failed or were aborted (the state machines here have none); and it is not refused after 14 days.
  * An inline Map state a redriven execution resumes in runs every iteration again. Step Functions runs
    again only the iterations that failed, were aborted or never started; those that succeeded keep their
    results and are not run (RedriveExecution's API reference). Each iteration that succeeds is recorded
    (by execution, start time, Map state and index: at most ITERATIONS_KEPT of them, the oldest dropped first),
    and when a redrive resumes in that Map state, the iteration takes its recorded result instead of running
    (once: the same Map entered again in that attempt runs whole, as does one the redrive did not resume in).
  * An inline Map iteration still running when another one fails is recorded MapIterationSucceeded, its input as
    its result: the failed Map ends its frame, which ends the iteration's program as if it had reached its end.
    Step Functions aborts it (MapIterationAborted), and a redrive runs it again. An iteration whose program ended
    without reaching an end state of its own is now aborted, and a redrive does not keep it.
  * A Catch whose Next is its own state (the deploy workflow's WaitForRollout catches its States.Timeout so)
    went to the state's Next instead: the interpreter takes a next state equal to the current one as "not
    set by a catcher". Step Functions follows the catcher's Next; a caught error now always does.
  * The interpreter's own errors (InvalidDefinition, TaskTimedOut, TaskDoesNotExist and the rest of
    its API's) answered an empty __type: the SDK saw a bare SfnException where Step Functions names the
    error (InvalidDefinitionException...). Each answers its type.
  * DynamoDB's UpdateItem always answers a ConsumedCapacity; DynamoDB answers it only when the
    request's ReturnConsumedCapacity asks for it (as moto's other writes do). It is dropped unless
    asked for, so a function's first update parses (and its cold start loads) what it would on AWS.
  * ECS drops a service's deploymentConfiguration (circuit breaker, minimum and maximum
    percent); ECS keeps what CreateService and UpdateService set, and DescribeServices shows it.

Work moto repeats for nothing, done once (nearly half of its CPU time under a rollout, measured with a
stack sampler over five deployments; the tests are CPU-bound on two cores, moto is about half of it):
  * every JSONPath the interpreter evaluates is parsed again, and jsonpath-ng rebuilds its parser's
    LALR tables at each parse: each distinct path is parsed once;
  * the server lists its package's directories from disk to route every request: listed once;
  * CreateStateMachine and UpdateStateMachine parse the whole definition to validate it, then drop the
    parse: a definition is validated once;
  * every execution parses its definition anew: each gets a deep copy of one parse (a twentieth of the time);
  * werkzeug's access log (a line per request through colorama's stream wrapper) is off; its warnings
    and errors still go to moto.log.

CONTROL_PORT serves the runtime (JSON):
  GET  /clock/idle?wait=S    waits up to S seconds for the interpreter to be idle; answers
                             {"busy", "due", "next", "now", "offset"} (times in epoch seconds)
  GET  /clock/busy           {"busy", "changesNotTaken", "threads": [{"name", "stack"}]}: the
                             interpreter's threads and where each is, to tell what holds the clock
  POST /clock/advance        {"to": T}: moves the clock to T (never past the next timer), only
                             when idle; answers {"advanced", "now", "offset"}
  POST /limits               {"historyEvents": N}: the history's limit (25,000 unless changed, as on
                             Step Functions), for a test to reach it in seconds; answers the limits
  GET  /executions/changes?after=N&wait=S
                             status changes with sequence > N, waiting up to S seconds for one;
                             answers {"changes": [{"seq", "executionArn", "status", "at"}]}. Each
                             change counts as work in progress until a request acknowledges it
                             (after >= its sequence), so the clock never skips past an unseen one.
Executing state machines is switched on by the runtime through POST /moto-api/config.
"""
import calendar
import copy
import datetime as _datetime
import http.server
import json
import sys
import threading as _threading
import time as _time
import urllib.parse

from moto.stepfunctions.models import StateMachine

_SHARED = ("executions", "backend", "versions", "latest_version", "aliases")
ITERATIONS_KEPT = 10000
# execution ARN -> (redrive count, the state that redrive resumed in), for the Map iterations' redrive
RESUMED_IN = {}
LIMITS = {"historyEvents": 25000}


def _state_machine_deepcopy(self, memo):
    clone = self.__class__.__new__(self.__class__)
    memo[id(self)] = clone
    for name, value in self.__dict__.items():
        setattr(clone, name, value if name in _SHARED else copy.deepcopy(value, memo))
    return clone


StateMachine.__deepcopy__ = _state_machine_deepcopy


class _Clock:
    """The virtual clock and the count of interpreter threads that are not waiting."""

    def __init__(self):
        self.lock = _threading.Lock()
        self.changed = _threading.Condition(self.lock)
        self.offset = 0.0
        self.busy = 0
        self.deadlines = {}

    def now(self):
        return _time.time() + self.offset

    def due(self):
        now = self.now()
        return any(d <= now for d in self.deadlines.values())

    def next_deadline(self):
        return min(self.deadlines.values()) if self.deadlines else None


CLOCK = _Clock()
_counted = _threading.local()


def _is_counted():
    return getattr(_counted, "value", False)


class _Waiter:
    __slots__ = ("condition", "credited", "woken")

    def __init__(self):
        self.condition = _threading.Condition(CLOCK.lock)
        self.credited = False
        self.woken = False


class VirtualEvent:
    """threading.Event on the virtual clock. A counted thread stops counting while it waits;
    set() counts the threads it wakes at once, so the count never drops to zero in between. As
    with threading.Event, set() wakes the threads waiting then even if clear() follows at once
    (the interpreter signals a stop so: a Wait state ends when its execution is stopped)."""

    def __init__(self):
        self._flag = False
        self._waiters = []

    def is_set(self):
        return self._flag

    isSet = is_set

    def set(self):
        with CLOCK.lock:
            self._flag = True
            for waiter in self._waiters:
                waiter.woken = True
                if not waiter.credited:
                    waiter.credited = True
                    CLOCK.busy += 1
                waiter.condition.notify()

    def clear(self):
        with CLOCK.lock:
            self._flag = False

    def wait(self, timeout=None):
        counted = _is_counted()
        # a bad timeout fails here, before the waiter is registered: registered and left behind, a later
        # set() would credit it, counting a thread that no longer waits (the clock then never skips again)
        seconds = None if timeout is None else max(0.0, float(timeout))
        with CLOCK.lock:
            if self._flag:
                return True
            waiter = _Waiter()
            waiter.credited = not counted
            self._waiters.append(waiter)
            deadline = None if seconds is None else CLOCK.now() + seconds
            if deadline is not None:
                CLOCK.deadlines[waiter] = deadline
            if counted:
                CLOCK.busy -= 1
                CLOCK.changed.notify_all()
            try:
                while not waiter.woken:
                    if deadline is None:
                        waiter.condition.wait()
                        continue
                    remaining = deadline - CLOCK.now()
                    if remaining <= 0:
                        break
                    waiter.condition.wait(remaining)
            finally:
                if not waiter.credited:
                    waiter.credited = True
                    CLOCK.busy += 1
                self._waiters.remove(waiter)
                CLOCK.deadlines.pop(waiter, None)
                CLOCK.changed.notify_all()
            return waiter.woken or self._flag


def _sleep(seconds):
    VirtualEvent().wait(max(0.0, float(seconds)))


class TrackedThread(_threading.Thread):
    """An interpreter thread: counted from start() until its target returns."""

    def start(self):
        self._pushdeploy_done = VirtualEvent()
        with CLOCK.lock:
            CLOCK.busy += 1
        try:
            super().start()
        except BaseException:
            with CLOCK.lock:
                CLOCK.busy -= 1
                CLOCK.changed.notify_all()
            raise

    def run(self):
        _counted.value = True
        try:
            super().run()
        finally:
            self._pushdeploy_done.set()
            with CLOCK.lock:
                CLOCK.busy -= 1
                CLOCK.changed.notify_all()
            _counted.value = False

    def join(self, timeout=None):
        done = getattr(self, "_pushdeploy_done", None)
        if done is None:
            return super().join(timeout)
        if done.wait(timeout):
            super().join()


class _Shim:
    """A module seen through a few replaced attributes."""

    def __init__(self, module, **replaced):
        self._module = module
        self.__dict__.update(replaced)

    def __getattr__(self, name):
        return getattr(self._module, name)


class _VirtualDatetime(_datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return _datetime.datetime.fromtimestamp(CLOCK.now(), tz)

    @classmethod
    def utcnow(cls):
        return _datetime.datetime.utcfromtimestamp(CLOCK.now())


def _patch_time():
    threading_shim = _Shim(_threading, Thread=TrackedThread, Event=VirtualEvent)
    time_shim = _Shim(_time, time=CLOCK.now, sleep=_sleep)
    datetime_shim = _Shim(_datetime, datetime=_VirtualDatetime)
    base = "moto.stepfunctions.parser."
    for name, replacements in {
        "asl.component.program.program": {"threading": threading_shim},
        "asl.component.state.exec.execute_state": {"threading": threading_shim, "Thread": TrackedThread},
        "asl.component.state.exec.state_task.service.state_task_service_callback":
            {"threading": threading_shim, "time": time_shim},
        "asl.component.state.exec.state_parallel.branch_worker": {"threading": threading_shim},
        "asl.component.state.exec.state_parallel.branches_decl":
            {"threading": threading_shim, "datetime": datetime_shim},
        "asl.component.state.exec.state_map.iteration.inline_iteration_component": {"threading": threading_shim},
        "asl.component.state.exec.state_map.iteration.job": {"threading": threading_shim},
        "asl.component.common.retry.retrier_decl": {"time": time_shim},
        "asl.component.state.wait.wait_function.wait_function": {"time": time_shim},
        "asl.component.state.wait.wait_function.timestamp": {"datetime": datetime_shim},
        "asl.component.state.state": {"datetime": datetime_shim},
        "asl.eval.environment": {"threading": threading_shim},
        "asl.eval.event.event_manager": {"datetime": datetime_shim},
        "asl.eval.callback.callback": {"Event": VirtualEvent},
        "backend.execution_worker": {"Thread": TrackedThread, "datetime": datetime_shim},
        "backend.execution": {"datetime": datetime_shim},
        "models": {"datetime": datetime_shim},
    }.items():
        _replace(base + name, replacements)
    virtual_utcnow = _VirtualDatetime.utcnow
    # StopExecution's stop date (and the other dates of the state machine models) come from here
    _replace("moto.stepfunctions.models", {"utcnow": virtual_utcnow})
    # an image's push date: the scan gate's polling and the lock queue's order read it
    _replace("moto.ecr.models", {"utcnow": virtual_utcnow, "datetime": _VirtualDatetime})


def _replace(name, replacements):
    import importlib

    module = importlib.import_module(name)
    for attribute, value in replacements.items():
        if not hasattr(module, attribute):
            raise SystemExit("moto_launcher: moto changed: %s has no %s" % (name, attribute))
        setattr(module, attribute, value)


class _Changes:
    """Execution status changes, in order. A change counts as work in progress (the clock does not
    skip ahead) until the runtime has taken it: asking for the changes after N acknowledges 1..N."""

    def __init__(self):
        self.condition = _threading.Condition(CLOCK.lock)
        self.entries = []
        self.acknowledged = 0

    def add(self, arn, status, at):
        with self.condition:
            self.entries.append({"seq": len(self.entries) + 1, "executionArn": arn, "status": status,
                                 "at": at.timestamp() if at else CLOCK.now()})
            CLOCK.busy += 1
            self.condition.notify_all()

    def after(self, seq, wait):
        with self.condition:
            seq = min(seq, len(self.entries))
            if seq > self.acknowledged:
                CLOCK.busy -= seq - self.acknowledged
                self.acknowledged = seq
                CLOCK.changed.notify_all()
            if len(self.entries) <= seq and wait > 0:
                self.condition.wait(wait)
            return self.entries[seq:]


CHANGES = _Changes()


def _patch_execution_log():
    from moto.stepfunctions.parser.backend import execution

    start = execution.Execution.start
    terminated = execution.BaseExecutionWorkerCommunication.terminated

    def logged_start(self):
        start(self)
        CHANGES.add(self.exec_arn, "RUNNING", self.start_date)

    def logged_terminated(self):
        terminated(self)
        run = self.execution
        if getattr(run, "pushdeploy_end_logged", False):
            return
        status = run.exec_status.value if hasattr(run.exec_status, "value") else str(run.exec_status)
        CHANGES.add(run.exec_arn, status, run.stop_date)

    execution.Execution.start = logged_start
    execution.BaseExecutionWorkerCommunication.terminated = logged_terminated


def _patch_service_parameters():
    """Task parameters in the API's own member names, as Step Functions sends them.

    Service integrations name parameters as the API does (StateMachineArn, TaskToken, Output); the
    port of the interpreter in moto 5.2.1 hands them to boto3 as written, and boto3 only knows its
    own spelling of members (stateMachineArn, taskToken, output). Each top-level parameter is given
    the spelling of the operation's input member that matches it case-insensitively.
    """
    import boto3
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service

    shapes = {}

    def members(service, action):
        key = (service, action)
        if key not in shapes:
            client = boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
            operation = client.meta.method_to_api_mapping.get(action)
            names = client.meta.service_model.operation_model(operation).input_shape.members if operation else {}
            shapes[key] = {name.lower(): name for name in names}
        return shapes[key]

    def normalise(self, parameters, boto_service_name=None, service_action_name=None):
        spelling = members(boto_service_name or self._get_boto_service_name(),
                           service_action_name or self._get_boto_service_action())
        for name in list(parameters):
            wanted = spelling.get(name.lower())
            if wanted is not None and wanted != name:
                parameters[wanted] = parameters.pop(name)

    state_task_service.StateTaskService._normalise_parameters = normalise


def _patch_sfn_responses():
    """Step Functions' answers to a states:* task in the API's own member names.

    The port of the interpreter in moto 5.2.1 keeps boto3's spelling of a response (executionArn,
    output, error): its .sync resolvers then look for ExecutionArn and fail, and a state would read
    $.Output where Step Functions writes it. The answers of states:startExecution (and the
    DescribeExecution the .sync patterns poll, also found in a failed child's Cause) get the spelling
    Step Functions uses: ExecutionArn, Output, Status, Error, Cause.
    """
    import boto3
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_sfn

    shapes = {}

    def output_shape(action):
        if action not in shapes:
            client = boto3.client("stepfunctions", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
            operation = client.meta.method_to_api_mapping.get(action)
            shapes[action] = client.meta.service_model.operation_model(operation).output_shape if operation else None
        return shapes[action]

    def normalise(self, response, boto_service_name=None, service_action_name=None):
        shape = output_shape(service_action_name or self._get_boto_service_action())
        if shape is not None and isinstance(response, dict):
            self._from_boto_response(response, shape)

    state_task_service_sfn.StateTaskServiceSfn._normalise_response = normalise


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


def _ends_are_immediate():
    from moto.stepfunctions.parser.api import (
        ExecutionAbortedEventDetails,
        ExecutionFailedEventDetails,
        ExecutionStatus,
        ExecutionTimedOutEventDetails,
        HistoryEventType,
    )
    from moto.stepfunctions.parser.asl.component.program.program import Program
    from moto.stepfunctions.parser.asl.eval.environment import Environment
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventHistoryContext, EventManager
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication, Execution
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
    from moto.stepfunctions import models as moto_models
    from moto.stepfunctions.responses import StepFunctionResponse

    terminal = {HistoryEventType.ExecutionSucceeded, HistoryEventType.ExecutionFailed, HistoryEventType.ExecutionAborted,
                HistoryEventType.ExecutionTimedOut}
    original_environment = ExecutionWorker._get_evaluation_environment
    original_stop = Execution.stop
    original_reflect = BaseExecutionWorkerCommunication._reflect_execution_status
    original_add_event = EventManager.add_event
    original_set_timed_out = Environment.set_timed_out
    original_stop_execution = StepFunctionResponse.stop_execution
    original_program_eval = Program.eval
    request = _threading.local()

    def stop_execution(self):
        request.asked = (self._get_param("error"), self._get_param("cause"))
        try:
            return original_stop_execution(self)
        finally:
            request.asked = None

    def end_now(env, execution, mark, status, event_type, details, at, previous=0, error=None, cause=None):
        """Ends a running execution from outside its states, as Step Functions does: at once (mark() sets the
        interpreter's program state, under its lock), its history sealed, the end's event dated at the stop date."""
        with env._state_mutex:
            if not env.is_running():
                return
            env.event_manager.pushdeploy_ended = True
            mark()
        original_add_event(env.event_manager, EventHistoryContext(previous_event_id=previous), event_type, EventDetails(**details), at)
        execution.exec_status = status
        execution.stop_date = at
        execution.error, execution.cause = error, cause
        execution.pushdeploy_end_logged = True
        execution.pushdeploy_ended_here = True
        CHANGES.add(execution.exec_arn, status.value, at)
        SYNC_CHILDREN.stop_started_by(execution.exec_arn)

    def awaited_program(execution):
        """Waits (30 s at most) until the interpreter has begun the execution's program; true when it had not yet: a stop
        landing while it still parses the definition found no environment to stop (a 500) or a program not yet running
        (the execution ran on)."""
        deadline = _time.monotonic() + 30
        waited = False
        while execution.exec_status == ExecutionStatus.RUNNING and _time.monotonic() < deadline:
            env = getattr(execution.exec_worker, "env", None)
            if env is not None and env._program_state is not None:
                break
            waited = True
            _time.sleep(0.005)
        return waited

    def stop(self, stop_date, error, cause):
        error, cause = getattr(request, "asked", None) or (error or None, cause or None)
        if awaited_program(self):
            stop_date = moto_models.utcnow()
        env = getattr(self.exec_worker, "env", None)
        if env is None or self.exec_status != ExecutionStatus.RUNNING:
            original_stop(self, stop_date, error, cause)
            return
        aborted = ExecutionAbortedEventDetails()
        if error is not None:
            aborted["error"] = error
        if cause is not None:
            aborted["cause"] = cause
        end_now(env, self, lambda: original_stop(self, stop_date, error, cause), ExecutionStatus.ABORTED,
                HistoryEventType.ExecutionAborted, {"executionAbortedEventDetails": aborted}, stop_date, error=error, cause=cause)

    def time_out(env, worker):
        end_now(env, worker._execution_communication.execution, lambda: original_set_timed_out(env), ExecutionStatus.TIMED_OUT,
                HistoryEventType.ExecutionTimedOut,
                {"executionTimedOutEventDetails": ExecutionTimedOutEventDetails(error="States.Timeout")},
                getattr(env.event_manager, "pushdeploy_deadline", None) or _VirtualDatetime.now(_datetime.timezone.utc))

    def set_timed_out(self):
        worker = getattr(self.event_manager, "pushdeploy_worker", None)
        if self.is_frame() or worker is None:
            original_set_timed_out(self)
            return
        time_out(self, worker)

    def program_eval(self, env):
        worker = getattr(env.event_manager, "pushdeploy_worker", None)
        if self.timeout_seconds is not None and worker is not None and not env.is_frame():
            execution = worker._execution_communication.execution
            # a redrive resets the state machine's time limit (it counts from the redrive)
            start = getattr(execution, "pushdeploy_redrive_date", None) or execution.start_date
            env.event_manager.pushdeploy_deadline = start + _datetime.timedelta(seconds=self.timeout_seconds.timeout_seconds)
        original_program_eval(self, env)

    def reflect(self):
        if getattr(self.execution, "pushdeploy_ended_here", False):
            return
        original_reflect(self)

    def environment(self):
        env = original_environment(self)
        env.event_manager.pushdeploy_worker = self
        return env

    def add_event(self, context, event_type, *args, **kwargs):
        if getattr(self, "pushdeploy_ended", False):
            return None
        worker = getattr(self, "pushdeploy_worker", None)
        deadline = getattr(self, "pushdeploy_deadline", None)
        if deadline is not None and event_type not in terminal and _VirtualDatetime.now(_datetime.timezone.utc) >= deadline:
            time_out(worker.env, worker)
            return None
        if self._event_id_gen._next_id >= LIMITS["historyEvents"] and event_type not in terminal and worker is not None:
            limit = LIMITS["historyEvents"]
            failed = ExecutionFailedEventDetails(error="States.Runtime",
                                                 cause="The execution reached the maximum number of history events (%d)." % limit)
            worker._execution_communication.execution.pushdeploy_history_full = True
            end_now(worker.env, worker._execution_communication.execution, lambda: worker.env.set_error(failed),
                    ExecutionStatus.FAILED, HistoryEventType.ExecutionFailed, {"executionFailedEventDetails": failed},
                    _VirtualDatetime.now(_datetime.timezone.utc), previous=limit - 1, error=failed["error"], cause=failed["cause"])
            return None
        return original_add_event(self, context, event_type, *args, **kwargs)

    StepFunctionResponse.stop_execution = stop_execution
    Execution.stop = stop
    Environment.set_timed_out = set_timed_out
    BaseExecutionWorkerCommunication._reflect_execution_status = reflect
    EventManager.add_event = add_event
    ExecutionWorker._get_evaluation_environment = environment
    Program.eval = program_eval


class _SyncChildren:
    """The executions each execution started through a .sync task, stopped when it ends from outside."""

    def __init__(self):
        self._lock = _threading.Lock()
        self._started = {}

    def add(self, parent, child, stop):
        with self._lock:
            self._started.setdefault(parent, {})[child] = stop

    def ended(self, parent, child):
        with self._lock:
            started = self._started.get(parent, {})
            started.pop(child, None)
            if not started:
                self._started.pop(parent, None)

    def stop_started_by(self, parent):
        with self._lock:
            started = self._started.pop(parent, {})
        for child, stop in started.items():
            try:
                stop(child)
            except Exception as e:  # an execution that already ended refuses nothing; anything else is logged
                print("pushdeploy: stopping %s with %s failed: %s" % (child, parent, e), file=sys.stderr, flush=True)


SYNC_CHILDREN = _SyncChildren()


def _sync_children_end_with_their_parent():
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn import (
        StateTaskServiceSfn,
    )
    from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for

    def remembering(original):
        def build(self, env, resource_runtime_part, normalised_parameters, state_credentials):
            child = env.stack[-1].get("ExecutionArn") if env.stack and isinstance(env.stack[-1], dict) else None
            if child is not None:
                parent = env.states.context_object.context_object_data["Execution"]["Id"]
                client = boto_client_for(region=resource_runtime_part.region, service="stepfunctions",
                                         state_credentials=state_credentials)

                def stop(arn):
                    if client.describe_execution(executionArn=arn)["status"] == "RUNNING":
                        client.stop_execution(executionArn=arn)

                SYNC_CHILDREN.add(parent, child, stop)
            resolver = original(self, env, resource_runtime_part, normalised_parameters, state_credentials)
            if child is None:
                return resolver

            def resolve():
                try:
                    answer = resolver()
                except Exception:
                    SYNC_CHILDREN.ended(parent, child)
                    raise
                if answer is not None:
                    SYNC_CHILDREN.ended(parent, child)
                return answer
            return resolve
        return build

    StateTaskServiceSfn._build_sync_resolver = remembering(StateTaskServiceSfn._build_sync_resolver)
    StateTaskServiceSfn._build_sync2_resolver = remembering(StateTaskServiceSfn._build_sync2_resolver)


def _history_is_paged():
    import base64

    from moto.core.responses import ActionResult
    from moto.stepfunctions.exceptions import InvalidToken, ValidationException
    from moto.stepfunctions.responses import StepFunctionResponse

    original = StepFunctionResponse.get_execution_history

    class Written(ActionResult):
        """The page written with json.dumps: moto's shape-walking serializer took 30 ms a page, nearly all of a history
        read (a tenth of moto's time in a run of end-to-end tests); the SDK reads both the same."""

        def execute_result(self, context):
            status, headers, _ = ActionResult({}).execute_result(context)
            return status, headers, json.dumps(self.result, separators=(",", ":"))

    def epoch_seconds(timestamp):
        """An event's time (moto keeps ISO 8601) as the JSON protocol writes it: epoch seconds to the millisecond."""
        value = _datetime.datetime.fromisoformat(timestamp) if isinstance(timestamp, str) else timestamp
        seconds = calendar.timegm(value.utctimetuple())
        return seconds + (value.microsecond // 1000) / 1000.0 if value.microsecond else seconds

    def get_execution_history(self):
        arn = self._get_param("executionArn")
        reverse = bool(self._get_param("reverseOrder"))
        size = self._get_param("maxResults") or 100
        if not 0 < size <= 1000:
            raise ValidationException("1 validation error detected: Value '%s' at 'maxResults' failed to satisfy constraint: "
                                      "Member must have value less than or equal to 1000" % size)
        token = self._get_param("nextToken")
        after = None
        if token is not None:
            try:
                anchor = json.loads(base64.urlsafe_b64decode(token.encode()))
                if anchor["arn"] != arn or anchor["reverse"] != reverse:
                    raise ValueError
                after = int(anchor["after"])
            except (ValueError, KeyError, TypeError):
                raise InvalidToken()
        result = original(self)
        events = sorted(result.result["events"], key=lambda event: event["id"], reverse=reverse)
        if after is not None:
            events = [event for event in events if (event["id"] < after if reverse else event["id"] > after)]
        answer = {"events": [dict(event, timestamp=epoch_seconds(event["timestamp"])) for event in events[:size]]}
        if len(events) > size:
            anchor = {"arn": arn, "reverse": reverse, "after": events[size - 1]["id"]}
            answer["nextToken"] = base64.urlsafe_b64encode(json.dumps(anchor).encode()).decode()
        return Written(answer)

    StepFunctionResponse.get_execution_history = get_execution_history


def _timed_out_executions_have_a_stop_date():
    from moto.stepfunctions.responses import StepFunctionResponse

    original_describe = StepFunctionResponse.describe_execution
    original_list = StepFunctionResponse.list_executions

    def with_stop_date(self, described):
        if str(getattr(described.get("status"), "value", described.get("status"))) == "TIMED_OUT" and "stopDate" not in described:
            described["stopDate"] = self.stepfunction_backend.describe_execution(described["executionArn"]).stop_date

    def describe_execution(self):
        result = original_describe(self)
        with_stop_date(self, result.result)
        return result

    def list_executions(self):
        result = original_list(self)
        for described in result.result["executions"]:
            with_stop_date(self, described)
        return result

    StepFunctionResponse.describe_execution = describe_execution
    StepFunctionResponse.list_executions = list_executions


def _busy_threads():
    """The interpreter's threads and where each is: what keeps the virtual clock from moving, when it does not."""
    import traceback

    frames = sys._current_frames()
    return [{"name": thread.name, "stack": traceback.format_stack(frames[thread.ident])[-8:]}
            for thread in _threading.enumerate() if isinstance(thread, TrackedThread) and thread.ident in frames]


class _Control(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self, document):
        body = json.dumps(document).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        wait = min(30.0, float(query.get("wait", "0")))
        if url.path == "/clock/idle":
            deadline = _time.monotonic() + wait
            with CLOCK.lock:
                while CLOCK.busy > 0 or CLOCK.due():
                    remaining = deadline - _time.monotonic()
                    if remaining <= 0:
                        break
                    CLOCK.changed.wait(min(remaining, 0.05))
                self._answer({"busy": CLOCK.busy, "due": CLOCK.due(), "next": CLOCK.next_deadline(),
                              "now": CLOCK.now(), "offset": CLOCK.offset})
        elif url.path == "/clock/busy":
            self._answer({"busy": CLOCK.busy, "changesNotTaken": len(CHANGES.entries) - CHANGES.acknowledged,
                          "threads": _busy_threads()})
        elif url.path == "/executions/changes":
            self._answer({"changes": CHANGES.after(int(query.get("after", "0")), wait)})
        else:
            self.send_error(404)

    def do_POST(self):
        if self.path not in ("/clock/advance", "/limits"):
            self.send_error(404)
            return
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        if self.path == "/limits":
            LIMITS["historyEvents"] = int(request.get("historyEvents", LIMITS["historyEvents"]))
            self._answer(LIMITS)
            return
        with CLOCK.lock:
            target = float(request["to"])
            following = CLOCK.next_deadline()
            if following is not None:
                target = min(target, following)
            advanced = CLOCK.busy == 0 and not CLOCK.due() and target > CLOCK.now()
            if advanced:
                CLOCK.offset += target - CLOCK.now()
                for waiter in list(CLOCK.deadlines):
                    waiter.condition.notify()
            self._answer({"advanced": advanced, "now": CLOCK.now(), "offset": CLOCK.offset})


def _services_keep_their_deployment_configuration():
    from moto.ecs.responses import EC2ContainerServiceResponse

    def keeping(original, name_param):
        def call(self):
            result = original(self)
            configuration = self._get_param("deploymentConfiguration")
            if configuration:
                services, _ = self.ecs_backend.describe_services(self._get_param("cluster", "default"),
                                                                 [self._get_param(name_param)])
                for service in services:
                    service.deployment_configuration = configuration
            return result
        return call

    EC2ContainerServiceResponse.create_service = keeping(EC2ContainerServiceResponse.create_service, "serviceName")
    EC2ContainerServiceResponse.update_service = keeping(EC2ContainerServiceResponse.update_service, "service")


def _capacity_only_when_asked():
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.update_item

    def update_item(self):
        result = original(self)
        if isinstance(result.result, dict) and self.body.get("ReturnConsumedCapacity", "NONE") == "NONE":
            result.result.pop("ConsumedCapacity", None)
        return result

    DynamoHandler.update_item = update_item


def _context_has_redrive_count():
    from moto.stepfunctions.parser.backend import execution_worker

    original = execution_worker.ExecutionData

    def with_redrive_count(**fields):
        data = original(**fields)
        data.setdefault("RedriveCount", 0)
        return data

    execution_worker.ExecutionData = with_redrive_count


def _executions_can_be_redriven():
    """RedriveExecution, as Step Functions does it for a Standard workflow (moto 5.2.1 has no such action)."""
    from moto.core.responses import ActionResult
    from moto.stepfunctions.exceptions import AWSError
    from moto.stepfunctions.parser.api import ExecutionRedrivenEventDetails, ExecutionStatus, HistoryEventType
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
    from moto.stepfunctions.responses import StepFunctionResponse

    class ExecutionNotRedrivable(AWSError):
        TYPE = "ExecutionNotRedrivable"
        STATUS = 400

    def unsuccessful_state(events, top_level):
        """The top-level state the execution ended in: the last one entered and never exited, with the input it entered
        with (the states of a Map's iterations and a Parallel's branches are not where it resumes)."""
        exited = set()
        for event in sorted(events, key=lambda e: e["id"], reverse=True):
            kind = str(getattr(event["type"], "value", event["type"]))
            if kind.endswith("StateExited"):
                exited.add(event["stateExitedEventDetails"]["name"])
            elif kind.endswith("StateEntered"):
                details = event["stateEnteredEventDetails"]
                if details["name"] in top_level and details["name"] not in exited:
                    return details["name"], json.loads(details.get("input") or "{}")
                exited.discard(details["name"])
        return None

    class RedrivenWorker(ExecutionWorker):
        """Runs the program again from the state the execution ended in, its history kept and continued."""

        def __init__(self, previous, state, state_input, count, at):
            super().__init__(previous._evaluation_details, previous._execution_communication,
                             previous._cloud_watch_logging_session, previous._activity_store, previous._mock_test_case)
            self.previous_events = previous.env.event_manager.get_event_history()
            self.state, self.state_input, self.count, self.at = state, state_input, count, at
            self.program = None

        def start(self):
            # the history is whole before RedriveExecution answers: a read right after it sees the redrive
            self.program = self._get_evaluation_entrypoint()
            self.env = self._get_evaluation_environment()
            self.env.states.context_object.context_object_data["Execution"]["RedriveCount"] = self.count
            manager = self.env.event_manager
            manager._history_event_list.extend(self.previous_events)
            manager._event_id_gen._next_id = max(e["id"] for e in self.previous_events) + 1
            manager.add_event(context=self.env.event_history_context, event_type=HistoryEventType.ExecutionRedriven,
                              event_details=EventDetails(executionRedrivenEventDetails=ExecutionRedrivenEventDetails(
                                  redriveCount=self.count)), timestamp=self.at)
            self.env.states.reset(self.state_input)
            self.program.start_at.start_at_name = self.state
            super().start()

        def _execution_logic(self):
            self.program.eval(self.env)
            self._execution_communication.terminated()

    def redrive_execution(self):
        arn = self._get_param("executionArn")
        execution = self.stepfunction_backend.describe_execution(arn)
        status = execution.exec_status
        if status not in (ExecutionStatus.FAILED, ExecutionStatus.ABORTED, ExecutionStatus.TIMED_OUT):
            raise ExecutionNotRedrivable("Execution is %s and cannot be redriven" % getattr(status, "value", status))
        if getattr(execution, "pushdeploy_history_full", False):
            raise ExecutionNotRedrivable("Execution history event limit exceeded")
        definition = json.loads(execution.exec_worker._evaluation_details.state_machine_details.definition)
        found = unsuccessful_state(execution.exec_worker.env.event_manager.get_event_history(), set(definition["States"]))
        if found is None:
            raise ExecutionNotRedrivable("Execution has no state to redrive")
        now = _VirtualDatetime.now(_datetime.timezone.utc)
        count = getattr(execution, "pushdeploy_redrive_count", 0) + 1
        worker = RedrivenWorker(execution.exec_worker, found[0], found[1], count, now)
        execution.pushdeploy_redrive_count = count
        execution.pushdeploy_redrive_date = now
        RESUMED_IN[arn] = (count, found[0])
        while len(RESUMED_IN) > ITERATIONS_KEPT:
            RESUMED_IN.pop(next(iter(RESUMED_IN)))
        execution.exec_worker = worker
        execution.exec_status = ExecutionStatus.RUNNING
        execution.stop_date = execution.error = execution.cause = None
        execution.pushdeploy_end_logged = execution.pushdeploy_ended_here = False
        CHANGES.add(arn, "RUNNING", now)
        worker.start()
        return ActionResult({"redriveDate": now})

    original_describe = StepFunctionResponse.describe_execution

    def describe_execution(self):
        result = original_describe(self)
        execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
        count = getattr(execution, "pushdeploy_redrive_count", 0)
        result.result["redriveCount"] = count
        if count:
            result.result["redriveDate"] = execution.pushdeploy_redrive_date
        return result

    StepFunctionResponse.redrive_execution = redrive_execution
    StepFunctionResponse.describe_execution = describe_execution


def _redrives_keep_succeeded_iterations():
    """A redriven execution's inline Map runs only the iterations that did not succeed in an earlier attempt."""
    from collections import OrderedDict

    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.iteration_worker import IterationWorker

    original = IterationWorker._eval_job
    succeeded = OrderedDict()  # (execution, start, map, index) -> (attempt, result)
    lock = _threading.Lock()

    def _eval_job(self, env, job):
        execution = env.states.context_object.context_object_data["Execution"]
        attempt = execution.get("RedriveCount", 0)
        key = (execution["Id"], str(execution.get("StartTime")), self._work_name, job.job_index)
        with lock:
            earlier = succeeded.get(key)
            resumed_here = RESUMED_IN.get(execution["Id"]) == (attempt, self._work_name)
            if earlier is not None and earlier[0] < attempt and resumed_here:
                succeeded[key] = (attempt, earlier[1])
                job.job_output = copy.deepcopy(earlier[1])
                return
        original(self, env, job)
        if not isinstance(job.job_output, Exception):
            with lock:
                succeeded[key] = (attempt, copy.deepcopy(job.job_output))
                succeeded.move_to_end(key)
                while len(succeeded) > ITERATIONS_KEPT:
                    succeeded.popitem(last=False)

    IterationWorker._eval_job = _eval_job


def _cut_off_iterations_are_aborted():
    """An inline Map iteration ended by its Map's end (another iteration failed) is aborted, not succeeded."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.iteration_worker import IterationWorker
    from moto.stepfunctions.parser.asl.eval.environment import Environment
    from moto.stepfunctions.parser.asl.eval.program_state import ProgramEnded, ProgramRunning, ProgramStopped

    def end(env):
        with env._state_mutex:
            if isinstance(env._program_state, ProgramRunning):
                env._program_state = ProgramEnded()
                for frame in env._frames:
                    end(frame)
            env.program_state_event.set()
            env.program_state_event.clear()

    def set_ended(self):
        # an end state ends its own frame; the frames below it end with it, not of their own
        self.pushdeploy_reached_end = True
        end(self)

    class AbortedUnlessEnded:
        def __init__(self, program):
            self.program = program

        def eval(self, env):
            self.program.eval(env)
            with env._state_mutex:
                if isinstance(env._program_state, ProgramEnded) and not getattr(env, "pushdeploy_reached_end", False):
                    env._program_state = ProgramStopped(stop_date=_VirtualDatetime.now(_datetime.timezone.utc),
                                                        cause=None, error=None)

    original = IterationWorker._eval_job

    def _eval_job(self, env, job):
        program = job.job_program
        job.job_program = AbortedUnlessEnded(program)
        try:
            original(self, env, job)
        finally:
            job.job_program = program

    Environment.set_ended = set_ended
    IterationWorker._eval_job = _eval_job


def _catchers_may_go_back_to_their_state():
    """A caught error goes to the catcher's Next, even when that is the state that failed."""
    from moto.stepfunctions.parser.asl.component.common.catch.catcher_decl import CatcherDecl
    from moto.stepfunctions.parser.asl.component.common.catch.catcher_outcome import CatcherOutcomeCaught
    from moto.stepfunctions.parser.asl.component.state.state import CommonStateField

    original_catch = CatcherDecl._eval_body
    original_next = CommonStateField._set_next

    def catch(self, env):
        original_catch(self, env)
        if isinstance(env.stack[-1], CatcherOutcomeCaught):
            env.pushdeploy_caught_to = self.next_decl.name

    def set_next(self, env):
        caught_to = getattr(env, "pushdeploy_caught_to", None)
        env.pushdeploy_caught_to = None
        if caught_to is not None and env.next_state_name == caught_to:
            return
        original_next(self, env)

    CatcherDecl._eval_body = catch
    CommonStateField._set_next = set_next


def _parser_errors_have_their_type():
    """The interpreter's errors (InvalidDefinition, TaskTimedOut, TaskDoesNotExist...) name their type in an attribute
    moto's JSON errors do not read, so they answered an empty __type and the SDK could not tell them apart."""
    import inspect

    from moto.core.exceptions import AWSError
    from moto.stepfunctions.parser import api

    for error in vars(api).values():
        if inspect.isclass(error) and issubclass(error, AWSError) and error.TYPE is None and isinstance(error.__dict__.get("code"), str):
            error.TYPE = error.code
            error.STATUS = error.__dict__.get("status_code", error.STATUS)


def _json_paths_parsed_once():
    """moto's interpreter parses a JSONPath again at each evaluation, and jsonpath-ng builds its parser's tables anew
    at each parse; a parsed path is not changed by its use, so each distinct path is parsed once."""
    import functools
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    json_path.parse = functools.lru_cache(maxsize=4096)(json_path.parse)
    result_path.parse = functools.lru_cache(maxsize=4096)(result_path.parse)


def _programs_parsed_once():
    """Each execution parsed its state machine's definition anew (a quarter of a second for the deployment workflow's
    on this machine); each now gets a deep copy of one parse per definition, its own program as a fresh parse gives."""
    import copy

    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    parse = ExecutionWorker._get_evaluation_entrypoint
    parsed = {}

    def entrypoint(self):
        definition = self._evaluation_details.state_machine_details.definition
        program = parsed.get(definition)
        if program is None:
            program = parse(self)
            if len(parsed) >= 64:
                parsed.clear()
            parsed[definition] = program
        return copy.deepcopy(program)

    ExecutionWorker._get_evaluation_entrypoint = entrypoint


def _backends_listed_once():
    """moto's server lists its package's directories from disk for every request it routes; they do not change."""
    from moto import backends

    listed = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: listed


def _definitions_validated_once():
    """moto parses a definition in full to validate it at each CreateStateMachine and UpdateStateMachine, and throws
    the parse away; a definition that was valid once is valid again."""
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    validate = StepFunctionsParserBackend._validate_definition
    valid = set()

    def validated_once(definition):
        if definition not in valid:
            validate(definition)
            if len(valid) >= 256:
                valid.clear()
            valid.add(definition)

    StepFunctionsParserBackend._validate_definition = staticmethod(validated_once)


def _no_access_log():
    """werkzeug logs a line per request (through colorama's stream wrapper): a tenth of moto's time under a rollout;
    warnings and errors are still logged."""
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def main():
    port, control_port = sys.argv[1], int(sys.argv[2])
    _patch_time()
    _patch_execution_log()
    _patch_service_parameters()
    _patch_sfn_responses()
    _terminal_errors_escape_states_all()
    _ends_are_immediate()
    _sync_children_end_with_their_parent()
    _timed_out_executions_have_a_stop_date()
    _history_is_paged()
    _context_has_redrive_count()
    _executions_can_be_redriven()
    _cut_off_iterations_are_aborted()
    _redrives_keep_succeeded_iterations()
    _catchers_may_go_back_to_their_state()
    _services_keep_their_deployment_configuration()
    _capacity_only_when_asked()
    _parser_errors_have_their_type()
    _json_paths_parsed_once()
    _programs_parsed_once()
    _backends_listed_once()
    _definitions_validated_once()
    _no_access_log()
    control = http.server.ThreadingHTTPServer(("127.0.0.1", control_port), _Control)
    control.daemon_threads = True
    _threading.Thread(target=control.serve_forever, name="pushdeploy-control", daemon=True).start()
    from moto.server import main as moto_main
    moto_main(["-H", "127.0.0.1", "-p", port])


if __name__ == "__main__":
    main()
