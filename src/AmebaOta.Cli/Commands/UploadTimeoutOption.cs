using System.CommandLine;
using AmebaOta.Families;
using AmebaOta.Protocol;

namespace AmebaOta.Cli.Commands;

/// <summary>
/// <c>--timeout SECONDS</c>, shared by <c>upload</c> and <c>fleet</c>: the longest wait with nothing acknowledged by the
/// board (and for the connection). Not given: from the image size, covering the slowest erase a stock board may do.
/// </summary>
public static class UploadTimeoutOption
{
    public static Option<double?> Create() => new("--timeout")
    {
        HelpName = "SECONDS",
        Description = "Longest wait with nothing acknowledged by the board, and for the connection. Default: from the image size, " +
            "enough for the slowest flash erase (30 s up to 256 KiB, 63 s for 480 KiB); shorter values warn",
    };

    /// <summary>
    /// The upload options for these images (each board's family fills in the rest: <see cref="PushSender.Configure"/>);
    /// <paramref name="warning"/> says why a given timeout may be too short for one of them.
    /// </summary>
    public static OtaUploadOptions Read(ParseResult parse, Option<double?> option, IEnumerable<PushImage> images, out string? warning)
    {
        warning = null;
        if (parse.GetValue(option) is not { } seconds) return new OtaUploadOptions();
        OptionChecks.Seconds(seconds, 86400, "--timeout");
        var timeout = TimeSpan.FromSeconds(seconds);
        warning = images.Select(i => i.Sender.ShortStallWarning(timeout, i)).FirstOrDefault(w => w is not null);
        return new OtaUploadOptions { ConnectTimeout = timeout, StallTimeout = timeout };
    }
}
