using System.CommandLine;
using System.Globalization;
using AmebaOta.Flash;

namespace AmebaOta.Cli.Commands;

/// <summary><c>--flash-timing instant|typical|slow[/N]</c>, shared by <c>device run</c>, <c>device farm</c> and <c>demo</c>.</summary>
public static class FlashTimingOption
{
    public static Option<string> Create() => new("--flash-timing")
    {
        HelpName = "instant|typical|slow",
        Description = "How long the board's flash takes: typical (datasheet typical values: 45 ms a 4 KiB sector erase, 37.5 µs a word program; " +
            "AmebaD: 57.5 µs a 12-byte program command, read-back at 1.4 MB/s), slow (datasheet maxima: 400 ms, 86 µs), instant (no time). " +
            "A suffix /N runs that profile N times faster (typical/10, for tests)",
        DefaultValueFactory = _ => FlashTiming.Typical.Name,
    };

    /// <summary>The profile named by the option for each family (its own parts' values), checked once for every family.</summary>
    public static Func<Families.BoardFamily, FlashTiming> ReadPerFamily(ParseResult parse, Option<string> option)
    {
        var profiles = Families.BoardFamilies.All.ToDictionary(f => f, f => Read(parse, option, f));
        return family => profiles[family];
    }

    /// <summary>The profile named by the option, checked, from <paramref name="family"/>'s profiles (its own part and OTA code) when given, else the generic ones (Ameba1's part).</summary>
    public static FlashTiming Read(ParseResult parse, Option<string> option, Families.BoardFamily? family = null)
    {
        string text = parse.GetValue(option)!.Trim();
        string name = text;
        double speedup = 1;
        int slash = text.IndexOf('/');
        if (slash >= 0)
        {
            name = text[..slash];
            if (!double.TryParse(text[(slash + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out speedup) || !(speedup >= 1) || speedup > 1e6)
                throw new CliError(ExitCodes.Usage, $"--flash-timing '{text}': the speed-up after '/' is a number from 1 to 1000000");
        }
        var profile = (family is null ? FlashTiming.Find(name) : family.FindFlashTiming(name))
            ?? throw new CliError(ExitCodes.Usage, $"--flash-timing '{text}' is not a profile: use instant, typical or slow (optionally /N, e.g. typical/10)");
        return profile.Faster(speedup);
    }
}
