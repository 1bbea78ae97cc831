using System.Globalization;
using System.Net;
using AmebaOta.Protocol.OtaUi.Server;
using AmebaOta.Protocol.Serving;

namespace AmebaOta.Protocol.OtaUi.Updates;

/// <summary>
/// Follows one board's update through what the wire shows, and decides how it ended. It is fed events (heartbeats, the
/// trigger's result, the download's start and end as this server saw them) and the time, and holds no clock, socket or
/// thread of its own, so every path is tested with exact times.
/// <para>What can be proved: a heartbeat carries only the state, never the build. The judge proves that the board at
/// this address (1) asked for the image and acknowledged every byte of it (TCP acknowledgements: its stack had them, not
/// that its flash holds them), (2) restarted: its state went back to <c>IDLE</c> after reporting the download (only a
/// restart resets it), or, with a library that reports no state, its heartbeats paused longer than their interval; and
/// (3) beats again. That it then runs the new image is an inference from the family's boot rule, which the caller
/// states with the history (<see cref="OtaUiBoardUpdate"/>).</para>
/// </summary>
public sealed class OtaUiJudge
{
    private readonly OtaUiJudgeSettings _settings;
    private readonly DateTimeOffset _start;
    private readonly List<string> _evidence = [];
    private readonly List<TimeSpan> _gaps = [];
    private DateTimeOffset? _lastBeat;
    private DateTimeOffset? _triggeredAt;
    private DateTimeOffset? _endAt;
    private DateTimeOffset? _lastBeatBeforeEnd;
    private DateTimeOffset? _completedAt;
    private DateTimeOffset? _downloadAt;
    private string? _cut;
    private bool? _reportsState;
    private bool _wentQuiet;
    private string? _libraryHint;
    private TriggerResult? _trigger;

    /// <summary>A judge for the board at <paramref name="board"/>, started at <paramref name="start"/>.</summary>
    public OtaUiJudge(IPAddress board, OtaUiJudgeSettings? settings, DateTimeOffset start)
    {
        Board = board;
        _settings = settings ?? new OtaUiJudgeSettings();
        _start = start;
    }

    /// <summary>The board's address.</summary>
    public IPAddress Board { get; }

    /// <summary>Where it is.</summary>
    public OtaUiStep Step { get; private set; } = OtaUiStep.WaitingForHeartbeat;

    /// <summary>The decision, once <see cref="Step"/> is <see cref="OtaUiStep.Finished"/>.</summary>
    public OtaUiOutcome? Outcome { get; private set; }

    /// <summary>The state of the last heartbeat seen.</summary>
    public string? LastState { get; private set; }

    /// <summary>Image bytes the board acknowledged so far.</summary>
    public long Acked { get; private set; }

    /// <summary>Image bytes served (0 until the download starts).</summary>
    public long Total { get; private set; }

    /// <summary>What was observed so far.</summary>
    public IReadOnlyList<string> Evidence => _evidence;

    /// <summary>The board as the server knew it before the judge started (its last heartbeat counts if it is recent).</summary>
    public void Known(OtaUiBoard? board, TimeSpan goneAfter)
    {
        if (board is null || !board.Online || board.LastBeat < _start - goneAfter || Step != OtaUiStep.WaitingForHeartbeat) return;
        Beat(board.State, board.StateText, board.LastBeat);
    }

    /// <summary>A heartbeat from the board.</summary>
    public void Beat(OtaUiState? state, string text, DateTimeOffset at)
    {
        if (Step == OtaUiStep.Finished) return;
        if (_endAt is null && _lastBeat is { } last && at > last) _gaps.Add(at - last);
        bool quietBefore = _endAt is not null && _lastBeat is { } previous && at - previous >= RestartGap;
        _lastBeat = at;
        LastState = text;
        if (state is OtaUiState.DownloadFirmwareInProgress or OtaUiState.DownloadFirmwareCompleted or OtaUiState.Reboot) _reportsState = true;
        // Idle while its update task runs: a library that reports the state it had when it started, whatever it does since.
        else if (state == OtaUiState.Idle && Fresh(at) && _endAt is null && _reportsState is null) _reportsState = false;
        if (_endAt is null) _lastBeatBeforeEnd = at;
        Note(at, $"heartbeat {text}");

        switch (Step)
        {
            case OtaUiStep.WaitingForHeartbeat:
                BeforeTrigger(state, text, at);
                break;
            case OtaUiStep.WaitingForDownload when state == OtaUiState.DownloadFirmwareCompleted:
                Finish(at, OtaUiResult.Failed, "it started its update and reported it over (OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED) without asking this server for the image",
                    "reset the board (it ignores triggers until then), and check that its sketch names this server", needsReset: true);
                break;
            case OtaUiStep.Rebooting:
                AfterDownload(state, text, at, quietBefore);
                break;
        }
    }

    /// <summary>The trigger was sent (the caller sends it when <see cref="Step"/> is <see cref="OtaUiStep.Triggering"/>).</summary>
    /// <remarks>The board may have asked for its image before the sender saw the end of the trigger's connection (a Pro2
    /// board closes it 500 ms after the echo): then the download has moved the judge on, and the trigger is only noted.</remarks>
    public void Triggered(TriggerResult result, DateTimeOffset at)
    {
        if (Step == OtaUiStep.Finished) return;
        _trigger = result;
        _triggeredAt ??= at;
        _libraryHint = result.LibraryHint;
        if (Step != OtaUiStep.Triggering)
        {
            Note(at, $"start_ota sent, echoed{(result.BoardClosedAfter is { } closed ? $", the board closed {closed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s later" : "")}");
            return;
        }
        switch (result.Outcome)
        {
            case TriggerOutcome.Refused:
                Note(at, "start_ota: connection refused");
                Finish(at, OtaUiResult.NotStarted, $"it beats here, but nothing listens on its trigger port {OtaUiTrigger.Port}",
                    "check that it runs the OTA example (the OTA UI sketch); reset it if its trigger thread stopped", needsReset: false);
                return;
            case TriggerOutcome.Unreachable:
                Note(at, $"start_ota: {result.Error}");
                Finish(at, OtaUiResult.NotStarted, $"it beats here, but its trigger port {OtaUiTrigger.Port} cannot be reached from this machine ({result.Error})",
                    "a NAT or a firewall between this machine and the board lets its heartbeats in but not the trigger out", needsReset: false);
                return;
        }
        string close = result.BoardClosedAfter is { } c ? $", the board closed {c.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s later" : "";
        Note(at, result.Outcome == TriggerOutcome.Echoed ? $"start_ota sent, echoed{(result.EchoMatches ? "" : " (with other bytes)")}{close}" : $"start_ota sent, no echo ({result.Error})");
        Step = OtaUiStep.WaitingForDownload;
    }

    /// <summary>The board asked for its image and the server answered <paramref name="status"/> with <paramref name="total"/> bytes of body.</summary>
    public void DownloadStarted(int status, long total, DateTimeOffset at)
    {
        if (Step is not (OtaUiStep.WaitingForDownload or OtaUiStep.Triggering)) return;
        _triggeredAt ??= at;
        Total = total;
        _downloadAt = at;
        Note(at, $"GET {OtaUiResponses.DownloadPath}: {status}, {total} bytes");
        if (status != 200)
        {
            Finish(at, OtaUiResult.Failed, $"this server answered its download with {status}, not the image", "reset the board (it ignores triggers until then), then serve an image and start again",
                needsReset: true);
            return;
        }
        Step = OtaUiStep.Downloading;
    }

    /// <summary>The board has acknowledged <paramref name="acked"/> bytes of the image.</summary>
    public void Progress(long acked)
    {
        if (Step == OtaUiStep.Downloading) Acked = Math.Max(Acked, acked);
    }

    /// <summary>The download ended, as the server saw it.</summary>
    public void DownloadEnded(PullTransferOutcome outcome, long acked, DateTimeOffset at)
    {
        if (Step != OtaUiStep.Downloading) return;
        Acked = Math.Max(Acked, acked);
        if (outcome == PullTransferOutcome.Completed && Acked >= Total)
        {
            _endAt = at;
            Note(at, $"every byte acknowledged ({Total})");
            Step = OtaUiStep.Rebooting;
            return;
        }
        _cut = outcome switch
        {
            PullTransferOutcome.ClientLeft => $"it stopped taking the image after {Acked} of {Total} bytes",
            PullTransferOutcome.CutByFault => $"the server cut the image short after {Acked} of {Total} bytes (a --fault)",
            _ => $"the server stopped sending after {Acked} of {Total} bytes",
        };
        Note(at, $"download ended: {_cut}");
        // The board decides what follows: stuck at COMPLETED, or (the SDK returns its last block's result after a cut)
        // a restart on its old firmware, whose new image was never marked valid.
        _endAt = at;
        Step = OtaUiStep.Rebooting;
    }

    /// <summary>Time passes: decides what waiting too long means at <paramref name="now"/>.</summary>
    public void Tick(DateTimeOffset now)
    {
        switch (Step)
        {
            case OtaUiStep.WaitingForHeartbeat when now - _start >= _settings.HeartbeatWait:
                Finish(now, OtaUiResult.NotStarted, $"no heartbeat from it within {Seconds(_settings.HeartbeatWait)}",
                    "a board is updated from the server it beats to: check that its sketch names this machine's address and port, and that it is on", needsReset: false);
                break;
            case OtaUiStep.WaitingForDownload when now - _triggeredAt!.Value >= _settings.StartWait:
                Finish(now, OtaUiResult.NotStarted,
                    _trigger?.Outcome == TriggerOutcome.NoEcho
                        ? $"it took the trigger without echoing it and did not ask for the image within {Seconds(_settings.StartWait)}"
                        : $"it echoed start_ota but did not ask for the image within {Seconds(_settings.StartWait)}: a board acts on the trigger only when idle",
                    "if its last update failed it stays stuck until it is reset (some library versions still report IDLE then): reset it and start again", needsReset: false);
                break;
            case OtaUiStep.Rebooting:
                if (!_wentQuiet && _lastBeat is { } last && now - last >= RestartGap)
                {
                    _wentQuiet = true;
                    Note(now, "no heartbeat");
                }
                if (_completedAt is not null && now - _completedAt.Value >= _settings.RebootWait)
                    FailRejected(now);
                else if (_cut is not null && now - (_lastBeat > _endAt ? _lastBeat!.Value : _endAt!.Value) >= _settings.RebootWait)
                    Finish(now, OtaUiResult.Failed, $"{_cut}, and it has not beaten again within {Seconds(_settings.RebootWait)}",
                        "look at its serial output, and reset it", needsReset: false);
                else if (now - (_lastBeat > _endAt ? _lastBeat!.Value : _endAt!.Value) >= _settings.RebootWait)
                    Finish(now, OtaUiResult.NotBack, $"it took every byte and has not beaten again within {Seconds(_settings.RebootWait)}",
                        "look at its serial output: an image that does not start the OTA threads never beats again (the old image stays in its other slot)", needsReset: false);
                break;
        }
    }

    private void BeforeTrigger(OtaUiState? state, string text, DateTimeOffset at)
    {
        switch (state)
        {
            case OtaUiState.Idle:
                Step = OtaUiStep.Triggering;
                break;
            case OtaUiState.DownloadFirmwareInProgress:
                Finish(at, OtaUiResult.NotStarted, "it is busy: it reports a download in progress, and ignores a trigger until it is idle",
                    "let that download end (or reset the board), then start again", needsReset: false);
                break;
            case OtaUiState.DownloadFirmwareCompleted:
                Finish(at, OtaUiResult.NotStarted, "it is stuck: it reports OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED, which a failed update leaves until the board is reset",
                    "reset the board, it ignores triggers until then", needsReset: true);
                break;
            case OtaUiState.Reboot:
                break;   // it restarts now; its next heartbeat says more
            default:
                Finish(at, OtaUiResult.NotStarted, $"it reports '{(text.Length == 0 ? "no state" : text)}', a state this version does not act on", "reset the board, or update it by USB", needsReset: false);
                break;
        }
    }

    private void AfterDownload(OtaUiState? state, string text, DateTimeOffset at, bool quietBefore)
    {
        var end = _endAt!.Value;
        switch (state)
        {
            case OtaUiState.DownloadFirmwareCompleted:
                if (_completedAt is null) _completedAt = at;
                else if (at - _completedAt.Value >= _settings.CompletedConfirm) FailRejected(at);
                break;
            case OtaUiState.Idle when Fresh(at) && (_reportsState != false || quietBefore):
                string proof = _reportsState != false
                    ? "its state is IDLE again after its update task ran (only a restart resets it)" +
                      (_reportsState is null ? ", assuming its library reports its state live as the Arduino cores' OTA library does" : "")
                    : $"its heartbeats paused {Seconds(at - _lastBeatBeforeEnd!.Value)} after the last byte (its interval is {Seconds(Interval)}), then came back";
                Note(at, "restarted: " + proof);
                if (_cut is not null)
                    Finish(at, OtaUiResult.Failed, $"{_cut}, then restarted on its old firmware ({proof}; the new image, never finished, is not marked valid)",
                        "start again (it takes triggers again)", needsReset: false);
                else
                    Finish(at, OtaUiResult.Updated, $"it took all {Total} bytes, restarted and beats again: {proof}", null, needsReset: false, rebootTime: at - end);
                break;
            case OtaUiState.Idle when at - end >= _settings.NoRestartWait:
                Finish(at, OtaUiResult.Failed,
                    $"{_cut ?? "it took every byte"} but kept beating without a pause for {Seconds(at - end)}: it did not restart, so it did not take the image " +
                    "(its library reports IDLE throughout, so its state cannot say why)",
                    "reset the board before starting again (a failed update leaves it ignoring triggers)", needsReset: true);
                break;
        }
    }

    private void FailRejected(DateTimeOffset at) =>
        Finish(at, OtaUiResult.Failed,
            _cut is not null
                ? $"{_cut}, then reported OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED and kept beating without restarting; it keeps its old firmware"
                : "it took every byte, then reported OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED and kept beating without restarting: it refused the image (a checksum " +
                  "that does not match, or an image larger than its firmware slot); it keeps its old firmware",
            "reset the board (it ignores triggers until then); look at its serial output for the reason", needsReset: true);

    /// <summary>
    /// True when a heartbeat received at <paramref name="at"/> was written after the update task started: a heartbeat
    /// reads the state, connects and sends, so one received within <see cref="OtaUiJudgeSettings.StaleWindow"/> of the
    /// download's start may carry the state from before it.
    /// </summary>
    private bool Fresh(DateTimeOffset at) => _downloadAt is { } start && at - start >= _settings.StaleWindow;

    /// <summary>A pause that means a restart: longer than the board's interval by a margin.</summary>
    private TimeSpan RestartGap => Interval + _settings.RestartMargin;

    /// <summary>The board's heartbeat interval: the median gap seen before the download ended, or the nominal one.</summary>
    private TimeSpan Interval
    {
        get
        {
            var gaps = _gaps.Count >= 2 ? _gaps.Order().ToList() : null;
            return gaps is null ? _settings.NominalInterval : gaps[gaps.Count / 2];
        }
    }

    private void Finish(DateTimeOffset at, OtaUiResult result, string reason, string? advice, bool needsReset, TimeSpan? rebootTime = null)
    {
        if (Step == OtaUiStep.Finished) return;
        Step = OtaUiStep.Finished;
        Outcome = new OtaUiOutcome(result, reason, advice, needsReset, [.. _evidence], Acked, Total, rebootTime, _libraryHint);
    }

    private void Note(DateTimeOffset at, string what) =>
        _evidence.Add($"+{(at - _start).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s {what}");

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s";
}
