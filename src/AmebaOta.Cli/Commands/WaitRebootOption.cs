using System.CommandLine;
using System.Globalization;

namespace AmebaOta.Cli.Commands;

/// <summary><c>--wait-reboot [SECONDS]</c>, shared by <c>upload</c> and <c>fleet upload</c>: given alone it means 30 s.</summary>
public static class WaitRebootOption
{
    public const double DefaultSeconds = 30;

    /// <param name="whenNotBack">What happens when a board does not come back, as the command's exit codes say it.</param>
    public static Option<double?> Create(string whenNotBack = "exit 7 if it does not") => new("--wait-reboot")
    {
        Description = $"After sending, wait up to SECONDS (default {DefaultSeconds:0}) for the board to reboot and announce itself again by mDNS; {whenNotBack}",
        HelpName = "SECONDS",
        Arity = ArgumentArity.ZeroOrOne,
        CustomParser = result =>
        {
            if (result.Tokens.Count == 0) return DefaultSeconds;
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
                result.Add(DefaultSeconds.ToString(CultureInfo.InvariantCulture));
        }
        return [.. result];
    }

    private static bool IsSeconds(string text, out double seconds) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds);

    /// <summary>The value as a time span, checked; null when the option was not given.</summary>
    public static TimeSpan? Read(ParseResult parse, Option<double?> option)
    {
        if (parse.GetValue(option) is not { } seconds) return null;
        OptionChecks.Seconds(seconds, 3600, "--wait-reboot");
        return TimeSpan.FromSeconds(seconds);
    }
}
