"""Headless Chromium for the page tests: one browser per pytest worker and set of switches, driven over its DevTools pipe
(``--remote-debugging-pipe``), the pages one after another in one tab of its one window.

A ``chromium --headless --dump-dom URL`` or ``--screenshot`` start costs about 1.8 CPU s (the browser, its zygote,
renderers, GPU and network processes, of which /usr/bin/time sees less than half: the zygote's children are not its
parent's), 45 starts in make docs-test; a new tab of a running browser costs about 0.6, and the last page's tab less:
its renderer loads the next file: page, where a new tab started a renderer for its about:blank and often another for
the page (the four Chromium files, alternately: 145 and 156 Chromium processes, 58.4 and 60.4 CPU s by /proc, with a
tab a page; 90 and 92, 45.4 and 46.0 with one). What a page gets is what the
command line's harness does (Chromium's components/headless/command_handler/headless_command.js): a target on
about:blank, Page.enable, lifecycle events on, Page.navigate, then, at the frame's "load" lifecycle event, the DOM by
the harness's own expression, or a PNG by Page.captureScreenshot clipped to --window-size. The window takes
--window-size's bounds (else those it opened at, the command line's without the switch) before the page loads, where
the command line starts its browser with them; its capture has a viewport of --window-size (fixed boxes and 100vh at
its bottom edge), and so has this one's.

Checked against the command line, page by page, over the four files' 45 pages (each page both ways, one after the
other): every screenshot the same bytes, every DOM the same string but for the Sphinx theme's additions after load
(toctree buttons, table wrappers), which the command line's dump holds or not from one run to the next as well (1 of
6 runs of one page). What differs, which no page here reads: the page loads in a viewport 56 px taller, as Chromium
shows no bar warning of --no-sandbox under remote debugging, and outerWidth and outerHeight may read 0 while a tab
loads; the tabs share a profile, where each command line had a new one, but the pages keep nothing in it (the report
pages run no script, their Content-Security-Policy; the site's scripts read and remove one localStorage key, which
only its search page sets, and no test opens that page). The one tab, checked the same way (the 45 pages in the order
the tests load them, each loaded in a new tab, then in the one tab, then in new tabs again): every screenshot the same
bytes, every DOM the same but for the theme's additions after load, which the new tabs' two rounds differ by as well.
The tab keeps its history, which no page reads.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time

# The switches of every start, as the command line had them (test_docsite.chromium).
SWITCHES = (
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
)
# headless_command.js's dumpDOM(): what `chromium --dump-dom` prints.
DUMP_DOM = (
    "(document.doctype ? new XMLSerializer().serializeToString(document.doctype) + '\\n' : '')"
    ' + document.documentElement.outerHTML'
)


def _above_9(descriptor):
    """``descriptor`` moved to the lowest free number above 9."""
    moved = fcntl.fcntl(descriptor, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(descriptor)
    return moved


class Chromium:
    """A headless Chromium with ``switches`` (besides SWITCHES), spoken to over fds 3 and 4 (JSON messages ended by
    NUL), whose pages each open in a tab of its one window (one profile)."""

    def __init__(self, executable, switches):
        self.switches = tuple(switches)
        self.profile = tempfile.mkdtemp(prefix='snapcopy-chromium-')
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115  # the browser's, closed with it
        to_browser, self._to_browser = os.pipe()
        self._from_browser, from_browser = os.pipe()
        # The browser's ends above 9, so that bash's moving them to 3 and 4 closes none it moves.
        to_browser, from_browser = (_above_9(descriptor) for descriptor in (to_browser, from_browser))
        # The browser reads commands from fd 3 and writes answers to fd 4: bash puts the pipes there (no preexec_fn,
        # which is unsafe beside the emulators' threads).
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with  # lives as long as the worker
            [
                'bash',
                '-c',
                'exec "$@" 3<&%d 4>&%d %d<&- %d>&-' % (to_browser, from_browser, to_browser, from_browser),
                'chromium',
                executable,
                *SWITCHES,
                '--user-data-dir=%s' % self.profile,
                '--remote-debugging-pipe',
                *self.switches,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.stderr,
            pass_fds=(to_browser, from_browser),
        )
        os.close(to_browser)
        os.close(from_browser)
        self._read_buffer = b''
        self._last_id = 0
        self._events = []
        self._opened_at = None  # the window's size when the browser opened it
        # The tab the last page loaded in, kept for the next: (target, session, window id, the page's URL).
        self._tab = None

    def _fail(self, why):
        self.stderr.seek(0)
        raise AssertionError('%s\n%s' % (why, self.stderr.read()[-3000:].decode(errors='replace')))

    def _message(self, deadline):
        while b'\0' not in self._read_buffer:
            if not select.select([self._from_browser], [], [], max(0.0, deadline - time.monotonic()))[0]:
                self._fail('Chromium answered nothing in time')
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                self._fail('Chromium ended (exit %s)' % self.process.poll())
            self._read_buffer += chunk
        message, self._read_buffer = self._read_buffer.split(b'\0', 1)
        return json.loads(message)

    def send(self, method, deadline, session=None, **params):
        """The result of the DevTools command ``method``; its events meanwhile are kept for ``event``."""
        self._last_id += 1
        message = {'id': self._last_id, 'method': method, 'params': params}
        if session:
            message['sessionId'] = session
        data = json.dumps(message).encode() + b'\0'
        while data:
            data = data[os.write(self._to_browser, data) :]
        while True:
            answer = self._message(deadline)
            if answer.get('id') == self._last_id:
                if 'error' in answer:
                    self._fail('%s: %s' % (method, answer['error']))
                return answer['result']
            self._events.append(answer)

    def event(self, matches, deadline):
        while True:
            for index, event in enumerate(self._events):
                if matches(event):
                    return self._events.pop(index)
            self._events.append(self._message(deadline))

    def page(self, url, window_size=None, dump_dom=False, screenshot=None, timeout=300):
        """``url`` loaded in a new tab of the browser's window (``window_size``: the window's (width, height), else
        the size it opened at, the command line's without --window-size); what ``--dump-dom`` prints (the DOM and a
        newline) with ``dump_dom``, and the PNG ``--screenshot`` writes at ``screenshot`` (a path)."""
        deadline = time.monotonic() + timeout
        target, session, window = self._tab_for(url, deadline)
        bounds = window_size or self._opened_at
        self._resize(session, window, bounds, '[outerWidth, outerHeight]', bounds, deadline)
        navigated = self.send('Page.navigate', deadline, session, url=url)
        self.event(
            lambda event: (
                event.get('sessionId') == session
                and event.get('method') == 'Page.lifecycleEvent'
                and event['params']['name'] == 'load'
                and event['params']['frameId'] == navigated['frameId']
                and event['params']['loaderId'] == navigated.get('loaderId', event['params']['loaderId'])
            ),
            deadline,
        )
        out = ''
        if dump_dom:
            # Printed as the command line prints it (a newline after), read as subprocess's text mode reads it.
            out = (self.evaluate(session, DUMP_DOM, deadline) + '\n').replace('\r\n', '\n').replace('\r', '\n')
        if screenshot:
            params = {'format': 'png'}
            if window_size:
                # The command line's capture has a viewport of --window-size (its fixed boxes and 100vh at the
                # window's bottom edge; the page loads in the window less its tab strip and toolbar, as here): the
                # window grows by those before the capture, its clip the window's size.
                width, height = window_size
                chrome = self.evaluate(session, 'outerHeight - innerHeight', deadline)
                self._resize(
                    session,
                    window,
                    (width, height + chrome),
                    '[innerWidth, innerHeight]',
                    window_size,
                    deadline,
                )
                params['clip'] = {'x': 0, 'y': 0, 'width': width, 'height': height, 'scale': 1.0}
            shot = self.send('Page.captureScreenshot', deadline, session, **params)
            with open(screenshot, 'wb') as stream:
                stream.write(base64.b64decode(shot['data']))
        self._tab = (target, session, window, url)
        self._events = [event for event in self._events if event.get('sessionId') != session]
        return out

    def _tab_for(self, url, deadline):
        """(target, session, window id) of the tab to load ``url`` in: the last page's, kept open, whose renderer
        loads the next file: page too (a new tab costs a renderer's start, and the navigation from its about:blank to a
        file: URL another), else a new one on about:blank. A new tab too where the last page's URL is ``url`` up to a
        '#': there the navigation would stay in the document, with no load event."""
        if self._tab is not None:
            target, session, window, last = self._tab
            if last.partition('#')[0] != url.partition('#')[0]:
                return target, session, window
            self._tab = None
            self.send('Target.closeTarget', deadline, targetId=target)
        target = self.send('Target.createTarget', deadline, url='about:blank')['targetId']
        self.send('Target.activateTarget', deadline, targetId=target)
        session = self.send('Target.attachToTarget', deadline, targetId=target, flatten=True)['sessionId']
        window = self.send('Browser.getWindowForTarget', deadline, targetId=target)
        if self._opened_at is None:
            self._opened_at = (window['bounds']['width'], window['bounds']['height'])
        self.send('Page.enable', deadline, session)
        self.send('Page.setLifecycleEventsEnabled', deadline, session, enabled=True)
        return target, session, window['windowId']

    def _resize(self, session, window, bounds, reads, wanted, deadline):
        """The window's outer size set to ``bounds``, then ``reads`` evaluated in the page until it answers ``wanted``:
        the page gets new bounds a moment after the browser."""
        width, height = bounds
        self.send('Browser.setWindowBounds', deadline, windowId=window, bounds={'width': width, 'height': height})
        while self.evaluate(session, reads, deadline) != list(wanted):
            time.sleep(0.01)

    def evaluate(self, session, expression, deadline):
        answer = self.send('Runtime.evaluate', deadline, session, expression=expression, returnByValue=True)
        if 'exceptionDetails' in answer:
            self._fail('%s: %s' % (expression, answer['exceptionDetails']))
        return answer['result']['value']

    def close(self):
        """Browser.close, so that the browser ends its own processes and waits for them (their CPU counts in its
        parent's), then the pipes and the profile."""
        if self.process.poll() is None:
            with contextlib.suppress(AssertionError, OSError):
                self.send('Browser.close', time.monotonic() + 30)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=60)
        for descriptor in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(descriptor)
        self._to_browser = self._from_browser = -1
        self.stderr.close()
        shutil.rmtree(self.profile, ignore_errors=True)


_BROWSERS = {}


@atexit.register
def close_all():
    """Each browser this process started, closed (tests/docs/conftest.py at the session's end)."""
    while _BROWSERS:
        _BROWSERS.popitem()[1].close()


def chromium(executable, arguments, timeout=300):
    """What ``executable --headless ... ARGUMENTS`` prints (``--dump-dom``) or writes (``--screenshot=PATH``), from this
    process's browser with the same switches, which it starts at the first page. ``arguments``: switches, then the URL
    (``--window-size=W,H`` sets the page's window)."""
    *switches, url = arguments
    dump_dom, screenshot, window_size, browser_switches = False, None, None, []
    for switch in switches:
        name, dummy, value = switch.partition('=')
        if name == '--dump-dom':
            dump_dom = True
        elif name == '--screenshot':
            screenshot = value
        elif name == '--window-size':
            window_size = tuple(int(number) for number in value.replace('x', ',').split(','))
        else:
            browser_switches.append(switch)
    key = (executable, tuple(browser_switches))
    browser = _BROWSERS.get(key)
    if browser is None or browser.process.poll() is not None:
        browser = _BROWSERS[key] = Chromium(executable, browser_switches)
    try:
        return browser.page(url, window_size=window_size, dump_dom=dump_dom, screenshot=screenshot, timeout=timeout)
    except BaseException:
        # A browser that failed a page is not trusted with the next: the next page starts another.
        _BROWSERS.pop(key, None)
        browser.close()
        raise
