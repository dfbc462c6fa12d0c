"""Batch payouts: upload a file of payouts, preview every row, submit it for a second person's approval,
then follow it being sent (each row once, through the journal) and download the per-row results."""

import math
import zlib
from datetime import timedelta

import streamlit as st

from dashboard import data_access, ui
from dashboard.ui import access, outage

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

P = "batch"  # session-state prefix of this page
MOVE_MONEY = "move_money"  # an approver (without it) sees batches and their rows, and changes nothing
OPEN = ("awaiting_approval", "sending", "paused")
COLUMNS = "username, amount, customer_iban, customer_name, description"
TURKISH_COLUMNS = "kullanıcı_adı, tutar, müşteri_iban, müşteri_adı, açıklama"

st.title(ui.t("Batch payouts"))
dealer = ui.show_loaded(data_access.load_dealer_settings(), what="settings")
eiban = dealer.eiban if dealer else None
max_rows, max_bytes = data_access.batch_limits()


def _state_text(state: str) -> str:
    """A batch's state in words: stored as `awaiting_approval`, read as "awaiting approval"."""
    return ui.t(state.replace("_", " "))


def _read(uploaded):
    """(preview, None) or (None, why the file is refused), kept per uploaded file across reruns."""
    key = (uploaded.file_id, ui.lang())
    cached = st.session_state.get(f"{P}_preview")
    if cached and cached[0] == key:
        return cached[1], cached[2]
    try:
        payout_file = data_access.read_batch_file(uploaded.name, uploaded.getvalue())
        result = (data_access.preview_batch(payout_file, eiban), None)
    except data_access.BatchFileError as exc:
        result = (None, str(exc))
    st.session_state[f"{P}_preview"] = (key, *result)
    st.session_state[f"{P}_batch_id"] = data_access.new_batch_id()  # one batch per previewed file
    return result


def _totals(totals) -> None:
    cols = st.columns(4)
    cols[0].metric(ui.t("Rows in the file"), totals.rows)
    cols[1].metric(ui.t("Rows to send"), totals.to_send)
    cols[2].metric(ui.t("Not valid"), totals.invalid)
    cols[3].metric(ui.t("Flagged as repeats"), totals.flagged)
    unknown = ui.t("could not be loaded")
    cols = st.columns(4)
    cols[0].metric(ui.t("Amount"), ui.fmt_money(totals.amount))
    cols[1].metric(ui.t("Commission"), ui.fmt_money(totals.commission) if totals.commission is not None else unknown)
    cols[2].metric(ui.t("Fee"), ui.fmt_money(totals.fee) if totals.fee is not None else unknown)
    cols[3].metric(ui.t("Total debited"), ui.fmt_money(totals.total) if totals.total is not None else unknown)


@outage.guard_callback
def _submit(preview, include_flagged: bool, batch_id: str) -> None:
    try:
        made = data_access.submit_batch(preview, maker=ui.actor(), include_flagged=include_flagged, batch_id=batch_id)
    except data_access.BatchError as exc:
        st.session_state[f"{P}_submit_error"] = str(exc)
        return
    st.session_state[f"{P}_selected"] = made.id
    st.session_state[f"{P}_uploads"] = st.session_state.get(f"{P}_uploads", 0) + 1  # a fresh uploader
    st.session_state.pop(f"{P}_preview", None)
    st.session_state.pop(f"{P}_submit_error", None)


def new_batch() -> None:
    st.subheader(ui.t("New batch"))
    st.caption(
        ui.t(
            "A CSV or XLSX file with the columns {columns} (or in Turkish: {turkish}); description may be left "
            "out. At most {rows} rows and {kb} KB. Amounts as 1500,50 or 1500.50. Nothing is sent before a "
            "second person approves the batch.",
            columns=COLUMNS,
            turkish=TURKISH_COLUMNS,
            rows=max_rows,
            kb=max_bytes // 1024,
        )
    )
    uploaded = st.file_uploader(
        ui.t("Payout file"),
        type=["csv", "xlsx"],
        key=f"{P}_file_{st.session_state.get(f'{P}_uploads', 0)}",
        max_upload_size=max(1, math.ceil(max_bytes / 1024 / 1024)),
    )
    if uploaded is None:
        return
    preview, problem = _read(uploaded)
    if problem:
        st.error(ui.t("The file was not accepted: {why}", why=ui.t(problem)), icon=":material/block:")
        return
    flagged = preview.totals().flagged
    include = flagged > 0 and st.checkbox(
        ui.t("Send the flagged rows too (each is a second payout of the same IBAN, amount and username)"),
        key=f"{P}_include",
    )
    totals = preview.totals(include)
    _totals(totals)
    st.dataframe(
        data_access.preview_frame(preview, include, ui.lang()),
        hide_index=True,
        key=f"{P}_preview_table",
        placeholder=ui.MISSING,  # a cell the file left empty, or a not valid row's bank and costs ("Why" says why)
    )
    blocked = _submit_blocked(totals)
    if error := st.session_state.get(f"{P}_submit_error"):
        st.error(ui.t(error), icon=":material/error:")
    st.button(
        ui.t("Submit {n} payouts for approval", n=totals.to_send),
        type="primary",
        key=f"{P}_submit",
        icon=":material/approval:",
        disabled=blocked,
        on_click=_submit,
        args=(preview, include, st.session_state[f"{P}_batch_id"]),
    )


def _submit_blocked(totals) -> bool:
    if totals.to_send == 0:
        st.warning(ui.t("No row of this file can be sent: correct the file and upload it again."))
        return True
    if totals.total is None:
        st.error(
            ui.t("The commission and fee could not be loaded from the dealer settings; submitting is blocked."),
            icon=":material/money_off:",
        )
        return True
    if not data_access.batches_can_be_approved():
        st.warning(
            ui.t("Approvals are not available on this console, so a batch cannot be submitted."),
            icon=":material/approval:",
        )
        return True
    return False


@outage.guard_callback
def _change(batch_id: str, action: str) -> None:
    try:
        data_access.change_batch(batch_id, action, actor=ui.actor())
    except data_access.BatchError as exc:
        st.session_state[f"{P}_change_error"] = str(exc)


def _state_note(b) -> None:
    request = data_access.batch_approval(b.id)
    if request is not None and request.decided_by and request.state in ("approved", "rejected"):
        st.caption(
            ui.t_md(
                "{state} by {who} {age}: {note}",
                state=ui.t(request.state),
                who=request.decided_by,
                age=ui.age_text(request.decided_at),
                note=request.note or "—",
            )
        )
    if b.state == "awaiting_approval":
        st.info(
            ui.t_md(
                "Waiting for approval by a second person (not {maker}). Nothing is sent before that.", maker=b.maker
            ),
            icon=":material/hourglass_top:",
        )
    elif b.state in ("rejected", "expired"):
        st.error(ui.t("The approval was refused or ran out: nothing was sent."), icon=":material/block:")
    elif b.state == "paused":
        st.warning(ui.t("Paused: the rows not yet sent wait until the batch is resumed."), icon=":material/pause:")
    elif b.state == "cancelled":
        st.warning(ui.t("Cancelled: the rows not yet sent will never be sent."), icon=":material/cancel:")
    elif b.state == "done":
        st.success(ui.t("Every row to send has been sent; each row's outcome is below."), icon=":material/done_all:")


def _progress(batch_id: str) -> None:
    pc = data_access.progress_counts(data_access.batch_counts(batch_id))
    st.progress(
        pc["sent"] / pc["to_send"] if pc["to_send"] else 1.0,
        text=ui.t(
            "{sent} of {total} sent · {confirmed} accepted · {open} outcome open · {refused} refused · "
            "{cancelled} not sent",
            sent=pc["sent"],
            total=pc["to_send"],
            confirmed=pc["confirmed"],
            open=pc["open"],
            refused=pc["refused"],
            cancelled=pc["cancelled"],
        ),
    )


def _buttons(b) -> None:
    if not access.allowed(MOVE_MONEY):
        return
    pause, resume, cancel, _ = st.columns([1, 1, 1, 3])
    if b.state == "sending":
        pause.button(ui.t("Pause"), key=f"{P}_pause", icon=":material/pause:", on_click=_change, args=(b.id, "pause"))
    if b.state == "paused":
        resume.button(
            ui.t("Resume"), key=f"{P}_resume", icon=":material/play_arrow:", on_click=_change, args=(b.id, "resume")
        )
    if b.state in OPEN:
        cancel.button(
            ui.t("Cancel the rows not yet sent"),
            key=f"{P}_cancel",
            icon=":material/cancel:",
            on_click=_change,
            args=(b.id, "cancel"),
        )
    if error := st.session_state.pop(f"{P}_change_error", None):
        st.error(ui.t(error), icon=":material/error:")


def _downloads(b, table) -> None:
    # The download callables run on another thread, after this script: capture plain values now.
    actor, lang, described = ui.actor(), ui.lang(), f"batch {b.id} ({b.file_name})"
    row = st.container(horizontal=True)  # each button as wide as its label (narrow columns cut it short)
    row.download_button(
        ui.t("Download results (CSV)"),
        data=lambda: data_access.export_rows(table, "csv", actor=actor, description=described, dataset="batch_results"),
        file_name=f"batch_{b.id}_results.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"{P}_csv",
    )
    row.download_button(
        ui.t("Download results (Excel)"),
        data=lambda: data_access.export_rows(
            table, "xlsx", actor=actor, description=described, lang=lang, dataset="batch_results", sheet="Results"
        ),
        file_name=f"batch_{b.id}_results.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table_view:",
        key=f"{P}_xlsx",
    )


def batch_panel(batch_id: str, listed_state: str) -> None:
    """One batch: its state, progress, controls, per-row results and the results file."""
    b = data_access.batch(batch_id)  # takes up the approval's verdict
    if b is None:
        return
    if b.state != listed_state:
        # The batch moved on (approved, sent to the end, ...) since the page listed it: the whole page
        # again, so the list says what the panel says and a finished batch stops refreshing itself.
        st.rerun(scope="app")
    st.markdown(
        ui.t_md(
            "**{file}** · {state} · made by {maker} {age} · {n} payouts, {amount}",
            file=b.file_name,
            state=_state_text(b.state),
            maker=b.maker,
            age=ui.age_text(b.created_at),
            n=b.to_send,
            amount=ui.fmt_money(b.amount),
        )
    )
    _state_note(b)
    if b.state not in ("awaiting_approval", "rejected", "expired"):
        _progress(b.id)
    _buttons(b)
    items = data_access.batch_items(b.id)
    amount = ui.t("Amount (₺)")  # exact decimals, shown with two places ("10.00", not "10")
    st.dataframe(
        data_access.results_on_screen(items, ui.lang()),  # a row never sent says so, not "None"
        hide_index=True,
        key=f"{P}_results",
        column_config={amount: ui.money_column(amount)},
        placeholder=ui.MISSING,
    )
    _downloads(b, data_access.results_frame(items, ui.lang()))  # the file keeps missing cells empty
    st.caption(ui.t("Each sent row is a payout of its own on the Operations page (operation = batch id - row)."))


def batches() -> None:
    st.subheader(ui.t("Batches"))
    recent = data_access.recent_batches(50)
    if not recent:
        st.caption(ui.t("No batches yet."))
        return
    ids = [b.id for b in recent]
    labels = {b.id: f"{b.file_name} · {_state_text(b.state)} · {ui.fmt_time(b.created_at)} · {b.maker}" for b in recent}
    selected = st.session_state.get(f"{P}_selected")
    chosen = st.selectbox(
        ui.t("Batch"),
        ids,
        index=ids.index(selected) if selected in ids else 0,
        format_func=labels.get,
        # A new batch is shown once submitted; a batch's new state is shown at once (a new widget: the
        # browser's list otherwise kept the old wording of a batch it had selected).
        key=f"{P}_pick_{st.session_state.get(f'{P}_uploads', 0)}_{zlib.crc32(''.join(labels.values()).encode())}",
    )
    st.session_state[f"{P}_selected"] = chosen
    state = next(b.state for b in recent if b.id == chosen)
    if state in OPEN:
        data_access.keep_batches_moving()
    outage.fragment(run_every=timedelta(seconds=2) if state in OPEN else None)(batch_panel)(chosen, state)


if access.allowed(MOVE_MONEY):
    new_batch()
    st.divider()
else:
    st.info(
        ui.t("You see the batches and every row of them; approve or reject them on the Approvals page."),
        icon=":material/approval:",
    )
batches()
