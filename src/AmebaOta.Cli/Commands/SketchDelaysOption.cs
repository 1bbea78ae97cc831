using System.CommandLine;
using AmebaOta.Device.Sketches;

namespace AmebaOta.Cli.Commands;

/// <summary><c>--sketch-delays real|short</c>, shared by <c>device run</c> and <c>device farm</c>.</summary>
public static class SketchDelaysOption
{
    /// <summary>The sketches' waits at 20 ms each: for tests and demos where the boot time is not the point.</summary>
    public static SketchTiming Short { get; } = new()
    {
        Tick = TimeSpan.FromMilliseconds(20),
        WifiCheck = TimeSpan.FromMilliseconds(20),
        WifiRetry = TimeSpan.FromMilliseconds(20),
        OtaRetry = TimeSpan.FromMilliseconds(20),
        ConnectWait = TimeSpan.FromMilliseconds(20),
        MdnsRegistration = TimeSpan.FromMilliseconds(20),
    };

    public static Option<string> Create() => new("--sketch-delays")
    {
        HelpName = "real|short",
        Description = "The example sketches' own waits: real (AmebaD OTA_Basic waits 10 s after joining Wi-Fi and 3 s to register mDNS; Ameba1 retries every 1 s), " +
            "or short (20 ms each, for tests and demos; the serial lines and the flash timing stay the same)",
        DefaultValueFactory = _ => "real",
    };

    public static SketchTiming Read(ParseResult parse, Option<string> option) => parse.GetValue(option)!.Trim().ToLowerInvariant() switch
    {
        "real" => SketchTiming.Real,
        "short" => Short,
        var other => throw new CliError(ExitCodes.Usage, $"--sketch-delays '{other}': use real or short"),
    };
}
