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
