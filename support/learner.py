"""A learner without a browser: one Streamlit session driven over its websocket with the messages the browser's
frontend sends (streamlit.proto), so that a class of them loads the server as a class of browsers would.

What it sends, as the frontend does: a page opened by name with its address (`rerun_script` with
`page_name` and `query_string`); a button pressed (the button's `trigger_value`, found by its label in the
page the server sent); a drawing (the canvas component's JSON value: the picture as a PNG data URL); with each
request the values it has set before and the hashes of the large messages it keeps (the server then sends a
repeated one as a reference). What it honours: the server's `auto_rerun` messages (each fragment asks
to be rerun every so many seconds; the frontend keeps one timer per fragment, drops all of them when a whole
page runs, and stops those `stop_auto_rerun` names) and `page_info_changed` (the page rewrote its address).

Each request is timed from its sending to the end of the run that answered it; a request the server never
answered within ANSWER_WITHIN is a lost message. Used by benchmarks/class_load.py and its short test.
"""
import asyncio
import time
import urllib.request
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

ANSWER_WITHIN = 60.0  # seconds a request may wait for its answer before it counts as lost
CANVAS_KEY = "canvas"  # pages/draw.py's canvas; its widget id ends with its key
LIVE_UPDATE = "live update"  # a fragment's timer: what the frontend asks by itself while a page shows live figures


class Unanswered(Exception):
    """The server did not answer a request in time: a lost message."""


@dataclass
class Run:
    """One run the server made: of a whole page, or of some fragments."""
    fragments: tuple
    page: str  # the script hash of its page
    started: float
    ended: float = 0.0
    status: int = -1
    texts: list = field(default_factory=list)  # what it showed in words (markdown, alerts, metrics), in order
    elements: list = field(default_factory=list)  # the kind of each element it showed, in order


class Learner:
    """One browserless session of `url`: `async with Learner(url) as me: await me.open("train", query)`."""

    def __init__(self, url: str):
        self.url = url
        self.page = ""        # the script hash of the page on show
        self.pages = {}       # address (url_pathname, "" for home) -> page script hash
        self.query = ""       # the page's address after "?", as the page last wrote it
        self.widgets = {}     # label or key -> widget id, of the last whole run
        self.values = {}      # widget id -> WidgetState this learner set: sent again with every request
        self.runs = []        # every run, in order
        self.times = {}       # kind of request -> seconds from sending it to the end of the run that answered it
        self.timeline = []    # (when it was asked, kind, seconds), on the clock of time.monotonic()
        self.errors = []      # what went wrong: an exception on a page, a run that failed, a lost message
        self.lost = 0         # requests never answered
        self.cookie = ""      # a load balancer's sticky cookie, if any
        self._timers = {}     # fragment id -> (interval, task): the fragments' timers
        self._asked_fragments = {}  # fragment id -> when its timer asked (the first ask not yet answered)
        self._cached = {}     # hash -> a large message the server sent: it sends a reference to it when it repeats it
        self.references = 0   # messages the server sent as a reference to one kept here
        self._changed = asyncio.Event()
        self._ws = self._reader = None

    async def __aenter__(self):
        self.cookie = await asyncio.to_thread(sticky_cookie, self.url)
        self._ws = await connect(self.url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                                 max_size=None, open_timeout=ANSWER_WITHIN,
                                 additional_headers={"Cookie": self.cookie} if self.cookie else None)
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc):
        for _, timer in self._timers.values():
            timer.cancel()
        await self._ws.close()
        self._reader.cancel()

    # --- what a learner does --------------------------------------------------------------
    async def open(self, page: str, query: str = "") -> Run:
        """Open a page by its address ("" is Home), as a click on a link or a shared address does. The frontend drops
        the fragments' timers at the click (a timer's request after it would be for a page no longer shown)."""
        self._stop_timers()
        self.query, self.values = query, {}
        kind = f"open {page or 'home'}{' (a link)' if query else ''}"
        return await self._ask(kind, ClientState(page_name=page, query_string=query), self.pages.get(page))

    async def press(self, label: str, kind: str) -> Run:
        """Press the button labelled `label` on the page on show."""
        trigger = WidgetState(id=self.widgets[label], trigger_value=True)
        return await self._ask(kind, self._state(trigger), self.page)

    async def draw(self, value: str, kind: str = "drawing -> prediction") -> Run:
        """Send a drawing as the canvas does when the pen lifts: `value` is the canvas component's JSON value."""
        canvas = self.widgets[CANVAS_KEY]
        self.values[canvas] = WidgetState(id=canvas, json_value=value)
        return await self._ask(kind, self._state(), self.page)

    async def watch(self, until, timeout: float) -> bool:
        """Stay on the page while its fragments' timers ask for updates, until `until(run)` holds for a run
        (True), or `timeout` seconds pass (False)."""
        deadline, seen = time.monotonic() + timeout, len(self.runs)
        while time.monotonic() < deadline:
            if any(until(run) for run in self.runs[seen:] if run.ended):
                return True
            seen = max(seen, len(self.runs) - 1)
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), 1.0)
            except TimeoutError:
                pass
        return False

    def picked_model(self) -> str:
        """The sidebar's current model, as the last whole run showed it."""
        return self.widgets.get("Current model:value", "")

    # --- the protocol ---------------------------------------------------------------------
    def _state(self, *extra: WidgetState, fragment: str = "") -> ClientState:
        state = ClientState(page_script_hash=self.page, query_string=self.query, fragment_id=fragment,
                            is_auto_rerun=bool(fragment))
        state.widget_states.widgets.extend([*self.values.values(), *extra])
        return state

    async def _ask(self, kind: str, state: ClientState, page: str | None) -> Run:
        """Send a request and wait for its answer: the first whole run of `page` (any page if None) that began
        after the request and ran to its end (a run the page itself asked for before may still be under way)."""
        asked, seen = time.monotonic(), len(self.runs)
        await self._send(state)
        while True:
            answer = next((run for run in self.runs[seen:] if not run.fragments and run.ended and page in (None, run.page)
                           and run.status == ForwardMsg.FINISHED_SUCCESSFULLY), None)
            if answer is not None:
                self._answered(kind, asked, answer.ended)
                return answer
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), asked + ANSWER_WITHIN - time.monotonic())
            except TimeoutError:
                self.lost += 1
                raise Unanswered(f"{kind}: no answer in {ANSWER_WITHIN:.0f} s") from None

    def _answered(self, kind: str, asked: float, ended: float):
        self.times.setdefault(kind, []).append(ended - asked)
        self.timeline.append((asked, kind, ended - asked))

    async def _tick(self, fragment: str, interval: float):
        """A fragment's timer, as the frontend's setInterval: ask for the fragment every `interval` seconds."""
        while True:
            await asyncio.sleep(interval)
            self._asked_fragments.setdefault(fragment, time.monotonic())
            await self._send(self._state(fragment=fragment))

    async def _send(self, state: ClientState):
        """Ask for a run, naming the large messages this learner keeps (the server then sends a reference)."""
        state.cached_message_hashes.extend(self._cached)
        await self._ws.send(BackMsg(rerun_script=state).SerializeToString())

    def _stop_timers(self, fragments=None):
        for fragment in list(self._timers) if fragments is None else fragments:
            if fragment in self._timers:
                self._timers.pop(fragment)[1].cancel()

    async def _read(self):
        try:
            async for frame in self._ws:
                message = ForwardMsg()
                message.ParseFromString(frame)
                self._receive(message)
                self._changed.set()
        except Exception as err:  # noqa: BLE001 - a closed connection is a result: the class reports it
            self.errors.append(f"connection: {type(err).__name__}: {err}")
            self._changed.set()

    def _receive(self, message: ForwardMsg):
        if message.metadata.cacheable:
            self._cached[message.hash] = message
        elif message.WhichOneof("type") == "ref_hash":  # the frontend's cache: the message it names, anew
            message, self.references = self._cached[message.ref_hash], self.references + 1
        kind, now = message.WhichOneof("type"), time.monotonic()
        if kind == "new_session":
            fragments = tuple(message.metadata.run.fragment_ids)
            self.runs.append(Run(fragments, message.new_session.page_script_hash, now))
            if not fragments:  # a whole page runs: the frontend drops the fragments' timers and the page's widgets
                self.page = message.new_session.page_script_hash
                self._stop_timers()
                self.widgets = {}
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            self._element(message.delta.new_element)
        elif kind == "navigation":  # the app's pages, by the address of each, and the page this run shows
            self.pages.update({page.url_pathname: page.page_script_hash for page in message.navigation.app_pages})
            self.runs[-1].page = message.navigation.page_script_hash
            if not self.runs[-1].fragments:
                self.page = self.runs[-1].page
        elif kind == "auto_rerun":
            fragment, interval = message.auto_rerun.fragment_id, message.auto_rerun.interval
            if self._timers.get(fragment, (None,))[0] != interval:
                self._stop_timers([fragment])
                self._timers[fragment] = interval, asyncio.create_task(self._tick(fragment, interval))
        elif kind == "stop_auto_rerun":
            self._stop_timers(message.stop_auto_rerun.fragment_ids)
        elif kind == "page_info_changed":
            self.query = message.page_info_changed.query_string
        elif kind == "script_finished" and self.runs:
            run = self.runs[-1]
            run.ended, run.status = now, message.script_finished
            if run.status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                self.errors.append("a page failed to compile")
            for fragment in run.fragments:
                if fragment in self._asked_fragments:
                    self._answered(LIVE_UPDATE, self._asked_fragments.pop(fragment), now)

    def _element(self, element):
        kind = element.WhichOneof("type")
        body = getattr(element, kind)
        self.runs[-1].elements.append(kind)
        if kind == "exception":
            where = " < ".join(line.strip() for line in body.stack_trace[::-1] if line.strip().startswith("File"))
            self.errors.append(f"an exception on the page: {body.type}: {body.message}"[:300] + f" at {where}"[:900])
        elif kind in ("markdown", "alert", "text"):
            self.runs[-1].texts.append(body.body)
        elif kind == "metric":
            self.runs[-1].texts.append(f"{body.label}: {body.body}")
        widget = getattr(body, "id", "")
        if widget.startswith("$$ID-"):
            key = widget.rsplit("-", 1)[1]
            self.widgets.update({getattr(body, "label", "") or key: widget, key: widget})
            if kind == "selectbox" and body.options:
                chosen = body.raw_value if body.HasField("raw_value") else body.options[body.default]
                self.widgets[f"{body.label}:value"] = chosen
                self.runs[-1].texts.append(f"{body.label}: {chosen}")


def sticky_cookie(url: str) -> str:
    """The cookie a load balancer sets on the first page (its choice of server for this learner), or ''."""
    with urllib.request.urlopen(url, timeout=ANSWER_WITHIN) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
    return "; ".join(cookie.split(";", 1)[0] for cookie in cookies)
