using System.CommandLine;
using AmebaOta.Families;

namespace AmebaOta.Cli.Commands;

/// <summary>
/// <c>--family ameba1|amebad|…</c>: where a command cannot infer the family (from an image's contents, a flash file, or a
/// board's mDNS TXT <c>board=</c>), the user names it. Unset means "infer, else Ameba1".
/// </summary>
public static class FamilyOption
{
    public static Option<string?> Create(string purpose) => new("--family")
    {
        HelpName = BoardFamilies.Ids,
        Description = purpose,
    };

    /// <summary>The family named by the option, checked; null when the option is not given.</summary>
    public static BoardFamily? Read(ParseResult parse, Option<string?> option)
    {
        if (parse.GetValue(option) is not { } text) return null;
        return BoardFamilies.Find(text)
            ?? throw new CliError(ExitCodes.Usage, $"--family '{text}' is not a family this version knows: use {string.Join(", ", BoardFamilies.All.Select(f => f.Id))}");
    }
}
