"""The error boundary and output of one invocation, without typer or rich at import time.

:class:`Boundary` calls a command's core function, renders its :class:`~vendorci.output.Result` (human text or
one JSON envelope on stdout) and turns exceptions into exit codes: a known ``VendorciError`` uses its own code,
Ctrl-C is 130, anything else is an internal error (3) whose traceback goes to the log file.  It *returns* the
exit code; the typer application (:class:`vendorci.cli.app.Application`) raises it as ``typer.Exit``, and the
fast path for big outputs (:mod:`vendorci.cli.fastpath`) returns it from ``main`` without loading typer at all.
Both go through this one class, so a command prints the same thing whichever way it was reached.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Optional

from vendorci.cli import exits
from vendorci.cli.exits import EXIT_INTERNAL, EXIT_INTERRUPTED
from vendorci.errors import Code, UsageError, VendorciError
from vendorci.output import Result, dumps, envelope, error_envelope, result_envelope

Render = Callable[[Any, Result], None]


class Boundary:
    """Owns output for one invocation (hatch's Application, in small)."""

    def __init__(self, output: str = "human", config_path: Optional[str] = None, debug: bool = False) -> None:
        self.output = output
        self.config_path = config_path
        self.debug = debug
        self._consoles: dict[bool, Any] = {}

    @property
    def json(self) -> bool:
        return self.output == "json"

    def console(self, stderr: bool = False) -> Any:
        if stderr not in self._consoles:
            from vendorci.cli.render import make_console

            self._consoles[stderr] = make_console(stderr=stderr)
        return self._consoles[stderr]

    def load_config(self, overrides: Optional[Mapping[str, Any]] = None, lenient: bool = False) -> Any:
        from vendorci.config import load_config
        from vendorci.redaction import register_secret

        cfg = load_config(overrides or {}, config_path=self.config_path, lenient=lenient)
        for s in cfg.secret_values():
            register_secret(s)
        return cfg

    # -- progress, on stderr, never in JSON mode's stdout ------------------
    def note(self, message: str) -> None:
        from vendorci.redaction import redact
        from vendorci.safetext import visible

        if not self.json:
            self.console(stderr=True).print(redact(message), markup=False)
        else:
            print(visible(redact(message), keep_newlines=True), file=sys.stderr)

    @contextmanager
    def progress(self, message: str) -> Iterator[Callable[[str], None]]:
        """A status line on stderr; yields ``update(text)``."""
        from vendorci.redaction import redact
        from vendorci.safetext import visible

        err = self.console(stderr=True)
        if err.is_terminal and not self.json:
            with err.status(redact(message)) as status:
                yield lambda text: status.update(redact(text))
        else:
            last = [""]

            def update(text: str) -> None:
                # plain lines, only when the state word changes (no flood in logs)
                head = text.split(" (")[0]
                if head != last[0]:
                    last[0] = head
                    print(visible(redact(text)), file=sys.stderr, flush=True)

            update(message)
            yield update

    # -- the boundary --------------------------------------------------------
    def run_code(
        self, command: str, func: Callable[[], Result], render: Render,
        metrics: Optional[Callable[[Result], str]] = None,
        passthrough: tuple[type[BaseException], ...] = (),
    ) -> int:
        """Run ``func``, print its result or error, and return the exit code.  Exceptions of the
        ``passthrough`` types (the CLI framework's own exit) are re-raised untouched."""
        if self.output == "openmetrics" and metrics is None:
            err = UsageError(f"--output openmetrics is not available for `{command}`", code="output_unsupported",
                             hint="Use --output openmetrics with `vendorci votes` or `vendorci doctor`.")
            self.emit_error(command, err)
            return exits.for_error(err)
        try:
            result = func()
        except VendorciError as err:
            self.emit_error(command, err)
            return exits.for_error(err)
        except KeyboardInterrupt:
            if self.json:
                self._print_json(envelope(command, status="error", exit_code=EXIT_INTERRUPTED,
                                          errors=[VendorciError("interrupted", code=Code.INTERRUPTED).as_dict()]))
            else:
                print("interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        except passthrough:
            raise
        except BrokenPipeError:  # the reader went away (`| head`): stop quietly
            silence_stdout()
            return 0
        except Exception as exc:  # a bug: log it, never dump it on the user
            self.internal_error(command, exc)
            return EXIT_INTERNAL
        try:
            if self.output == "openmetrics" and metrics is not None:
                from vendorci.redaction import redact

                sys.stdout.write(redact(metrics(result)))
                sys.stdout.flush()
                for e in result.errors:
                    self._print_error_lines(e.get("message", ""), e.get("hint"))
            else:
                self.emit(result, render)
        except BrokenPipeError:
            silence_stdout()
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        except Exception as exc:  # a renderer choking on a peer's text is a bug: exit 3 with the crash log
            self.internal_error(command, exc)
            return EXIT_INTERNAL
        return result.code

    def emit(self, result: Result, render: Render) -> None:
        if self.json:
            self._print_json(result_envelope(result))
            return
        render(self.console(), result)
        for e in result.errors:
            self._print_error_lines(e.get("message", ""), e.get("hint"))

    def emit_error(self, command: str, err: VendorciError) -> None:
        if self.json:
            self._print_json(error_envelope(command, err))
        else:
            self._print_error_lines(err.message, err.hint)

    def internal_error(self, command: str, exc: BaseException) -> None:
        from vendorci.logutil import write_crash_log
        from vendorci.redaction import redact

        path, text = write_crash_log(command, exc)
        where = f"; the traceback is in {path}" if path else ""
        msg = redact(f"internal error: {type(exc).__name__}: {exc}{where}")
        if self.debug:
            print(text, file=sys.stderr)
        if self.json:
            err = VendorciError(msg, code="internal_error", exit_code=EXIT_INTERNAL,
                                hint="This is a bug in vendorci; please report it with the log file.")
            self._print_json(error_envelope(command, err))
        else:
            self._print_error_lines(msg, "run again with --debug to see the traceback" if not self.debug else None)

    def _print_error_lines(self, message: str, hint: Optional[str]) -> None:
        from vendorci.redaction import redact
        from vendorci.safetext import visible

        print(f"error: {visible(redact(message), keep_newlines=True)}", file=sys.stderr)
        if hint:
            print(f"  hint: {visible(redact(hint), keep_newlines=True)}", file=sys.stderr)

    def _print_json(self, doc: dict) -> None:
        from vendorci.redaction import redact

        sys.stdout.write(redact(dumps(doc)) + "\n")
        sys.stdout.flush()


def silence_stdout() -> None:
    """After EPIPE, point stdout at /dev/null so the interpreter's final flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
