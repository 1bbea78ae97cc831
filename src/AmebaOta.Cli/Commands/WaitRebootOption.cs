using System.CommandLine;
using System.Globalization;

namespace AmebaOta.Cli.Commands;

/// <summary>
/// <c>--wait-reboot [SECONDS]</c>, shared by <c>upload</c> and <c>fleet upload</c>. Given alone it waits as long as the
/// slowest flash could make the board take to verify and reboot after the last acknowledged byte
/// (<see cref="Protocol.OtaUploadBudget.DefaultRebootWait(long)"/>: the whole slow-profile erase + program + verify, plus 30 s).
/// </summary>
public static class WaitRebootOption
{
    /// <summary>The value standing for "given alone": computed from the image.</summary>
    private const double Auto = -1;
    private const string AutoWord = "auto";

    /// <param name="whenNotBack">What happens when a board does not come back, as the command's exit codes say it.</param>
    public static Option<double?> Create(string whenNotBack = "exit 7 if it does not") => new("--wait-reboot")
    {
        Description = $"After sending, wait up to SECONDS for the board to reboot and announce itself again by mDNS; {whenNotBack}. " +
            $"Alone: long enough for the slowest flash (e.g. {Protocol.OtaUploadBudget.Seconds(Protocol.OtaUploadBudget.DefaultRebootWait(480 * 1024))} for 480 KiB)",
        HelpName = "SECONDS",
        Arity = ArgumentArity.ZeroOrOne,
        CustomParser = result =>
        {
            if (result.Tokens.Count == 0 || result.Tokens[0].Value == AutoWord) return Auto;
            if (IsSeconds(result.Tokens[0].Value, out double seconds)) return seconds;
            result.AddError($"--wait-reboot takes a number of seconds, not '{result.Tokens[0].Value}'");
            return null;
        },
    };

    /// <summary>
    /// "--wait-reboot v2.bin": the word after the option is not a number, so it is not the option's value. System.CommandLine
    /// would take it anyway (an option cannot give a token back), so the default is written in before parsing.
    /// </summary>
    public static string[] SpellOutDefault(string[] args)
    {
        var result = new List<string>(args.Length + 1);
        for (int i = 0; i < args.Length; i++)
        {
            result.Add(args[i]);
            if (args[i] == "--wait-reboot" && i + 1 < args.Length && !args[i + 1].StartsWith('-') && !IsSeconds(args[i + 1], out _))
                result.Add(AutoWord);
        }
        return [.. result];
    }

    private static bool IsSeconds(string text, out double seconds) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds);

    /// <summary>The value as a time span for these images (alone: the longest any of them needs), checked; null when the option was not given.</summary>
    public static TimeSpan? Read(ParseResult parse, Option<double?> option, IEnumerable<AmebaOta.Families.PushImage> images)
    {
        if (parse.GetValue(option) is not { } seconds) return null;
        if (seconds == Auto) return images.Max(i => i.Sender.DefaultRebootWait(i));
        OptionChecks.Seconds(seconds, 3600, "--wait-reboot");
        return TimeSpan.FromSeconds(seconds);
    }
}
