using System.CommandLine;
using System.Net;
using AmebaOta.Discovery;
using AmebaOta.Families;
using AmebaOta.Fleet.History;

namespace AmebaOta.Cli.History;

/// <summary>
/// Records one <c>upload</c> in the history: <see cref="Starting"/> once the board and image are known, <see cref="Rebooted"/>
/// after a reboot wait; how it ended (exit code, error) is taken from the command's own result, so the command needs only
/// these calls and <see cref="TrackAsync"/> around its body.
/// </summary>
public sealed class UploadRecording
{
    private readonly BestEffortHistory _history;
    private long? _id;
    private RebootResult? _reboot;

    private UploadRecording(BestEffortHistory history) => _history = history;

    /// <summary>Runs the command's body with a recording, and records how it ended (also when it throws).</summary>
    public static async Task<int> TrackAsync(ParseResult parse, Option<string?> db, Func<UploadRecording, Task<int>> body)
    {
        using var history = HistoryDatabase.OpenForRecording(parse, db);
        var recording = new UploadRecording(history);
        int code;
        try
        {
            code = await body(recording);
        }
        catch (Exception e)
        {
            recording.Finish(CommandRunner.ExitCodeOf(e), e.Message);
            throw;
        }
        recording.Finish(code, null);
        return code;
    }

    /// <summary>The upload starts: <paramref name="deviceName"/> is the mDNS name it was found by (null for <c>--ip</c>).</summary>
    public void Starting(IPEndPoint board, string? deviceName, string fileName, PushImage image)
    {
        var start = new UploadStart(deviceName, board, deviceName is not null, ImageIdentity.Of(image.Sent, fileName), "upload");
        _id = _history.Try<long?>(s => s.BeginUpload(start), null);
    }

    /// <summary>The name the history knows the board by (its mDNS name, the one seen at its address, or ADDRESS:PORT).</summary>
    public string BoardName(IPEndPoint board, string? deviceName) => deviceName ?? _history.Try(s => s.BoardAt(board), null) ?? board.ToString();

    /// <summary>The board's uploads the history holds, oldest first, but this one.</summary>
    public IReadOnlyList<UploadRecord> Earlier(string board) =>
        [.. _history.Try(s => s.Uploads(new HistoryFilter(Board: board)), []).Where(u => u.Id != _id)];

    /// <summary>The board's uploads with this one ended as <paramref name="outcome"/>, oldest first.</summary>
    public IReadOnlyList<UploadRecord> WithThis(string board, PushImage image, string fileName, UploadOutcome outcome) =>
        [.. Earlier(board), new UploadRecord(_id ?? 0, board, "", 0, ImageIdentity.Of(image.Sent, fileName), null, "upload", DateTimeOffset.UtcNow,
            DateTimeOffset.UtcNow, outcome, null, 0, 1, null) { Family = image.Family.Id }];

    /// <summary>"; the last upload to MyAmeba (12:03 UTC) failed: …": the board's last upload, when it did not succeed (null otherwise).</summary>
    public string? LastFailure(string board) => Earlier(board).LastOrDefault() is { Outcome: UploadOutcome.Failed or UploadOutcome.NotBack or UploadOutcome.Cancelled } last
        ? $"the last upload to {board} ({last.StartedAt:yyyy-MM-dd HH:mm} UTC) {(last.Outcome == UploadOutcome.NotBack ? "was not seen back" : last.Outcome == UploadOutcome.Cancelled ? "was cancelled" : "failed")}" +
          (last.Error is { } e ? $" ({(e.Length > 120 ? e[..117] + "..." : e)})" : "")
        : null;

    /// <summary>The reboot wait's result.</summary>
    public void Rebooted(RebootResult? reboot) => _reboot = reboot;

    private void Finish(int? exitCode, string? error)
    {
        if (_id is not { } id) return;
        var outcome = exitCode switch
        {
            ExitCodes.Ok => _reboot is { Rebooted: true } ? UploadOutcome.Rebooted : UploadOutcome.Sent,
            ExitCodes.NoReboot => UploadOutcome.NotBack,
            ExitCodes.Cancelled => UploadOutcome.Cancelled,
            _ => UploadOutcome.Failed,
        };
        var end = new UploadEnd(outcome, error, exitCode, 1, _reboot is { Rebooted: true } r ? r.Elapsed : null);
        _history.Try(s => s.FinishUpload(id, end));
    }
}
