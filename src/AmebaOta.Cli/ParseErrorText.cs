using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace AmebaOta.Cli;

/// <summary>
/// The one line a command line that was not understood gets: what is wrong in our words (an unknown command or option
/// with the closest one suggested, a missing option, a value of the wrong kind with what it takes), then where help is.
/// Built from the parse result's structure, not from System.CommandLine's English (and .NET-typed) messages.
/// </summary>
public static class ParseErrorText
{
    public static string Describe(ParseResult result)
    {
        string help = $"see '{string.Join(' ', ["ameba-ota", .. CommandPath(result)])} --help'";
        return $"{Problem(result)}; {help}";
    }

    private static string Problem(ParseResult result)
    {
        var command = result.CommandResult.Command;
        if (result.UnmatchedTokens.Count > 0)
        {
            string token = result.UnmatchedTokens[0];
            if (token.StartsWith('-') && token.Length > 1)
                return $"unknown option '{token}'{DidYouMean(token, OptionNames(command))}";
            if (command.Subcommands.Count > 0)
                return $"unknown command '{token}'{DidYouMean(token, command.Subcommands.SelectMany(c => c.Aliases.Prepend(c.Name)))}";
            return $"unexpected argument '{token}'";
        }
        foreach (var error in result.Errors)
        {
            if (error.SymbolResult is OptionResult { Tokens.Count: 0, Implicit: false } given && given.Option.Arity.MinimumNumberOfValues > 0)
                return $"{given.Option.Name} needs a value ({Lower(given.Option.Description)})";
            if (WrongValue(error.SymbolResult) is { } wrong) return wrong;
        }
        foreach (var option in command.Options)
            if (option.Required && result.GetResult(option) is not { Implicit: false }) return $"{option.Name} is required ({Lower(option.Description)})";
        foreach (var argument in command.Arguments)
            if (argument.Arity.MinimumNumberOfValues > 0 && result.GetResult(argument) is not { Tokens.Count: > 0 })
                return $"missing {argument.Name.ToUpperInvariant()} ({Lower(argument.Description)})";
        if (command.Subcommands.Count > 0 && command.Action is null)
            return $"a command is missing after '{command.Name}' ({string.Join(", ", command.Subcommands.Select(c => c.Name))})";
        return result.Errors.Count > 0 ? Lower(result.Errors[0].Message).TrimEnd('.') : "not understood";
    }

    /// <summary>"--version takes a whole number from 0 to 4294967295, not 'abc'": for a value of the wrong kind.</summary>
    private static string? WrongValue(SymbolResult? symbol)
    {
        var option = symbol as OptionResult ?? (symbol as ArgumentResult)?.Parent as OptionResult;
        Type? type = option?.Option.ValueType ?? (symbol as ArgumentResult)?.Argument.ValueType;
        string? name = option?.Option.Name ?? (symbol as ArgumentResult)?.Argument.Name.ToUpperInvariant();
        if (type is null || name is null || Kind(type) is not { } kind) return null;
        var tokens = symbol!.Tokens.Count > 0 ? symbol.Tokens : option?.Tokens ?? symbol.Tokens;
        var bad = tokens.FirstOrDefault(t => !Converts(t.Value, type));
        return bad is null ? null : $"{name} takes {kind}, not '{bad.Value}'";
    }

    private static string? Kind(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(uint) => "a whole number from 0 to 4294967295",
        var t when t == typeof(ushort) => "a whole number from 0 to 65535",
        var t when t == typeof(byte) => "a whole number from 0 to 255",
        var t when t == typeof(int) => "a whole number",
        var t when t == typeof(long) => "a whole number",
        var t when t == typeof(double) => "a number (e.g. 2.5)",
        var t when t == typeof(bool) => "true or false",
        _ => null,
    };

    private static bool Converts(string value, Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(uint) => uint.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        var t when t == typeof(ushort) => ushort.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        var t when t == typeof(byte) => byte.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        var t when t == typeof(int) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        var t when t == typeof(long) => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        var t when t == typeof(double) => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
        var t when t == typeof(bool) => bool.TryParse(value, out _),
        _ => true,
    };

    private static IEnumerable<string> OptionNames(Command command) =>
        command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)).Append("--help");

    private static string DidYouMean(string typed, IEnumerable<string> candidates) =>
        TypoSuggestion.Closest(typed, candidates) is { } near ? $" (did you mean '{near}'?)" : "";

    private static IEnumerable<string> CommandPath(ParseResult result)
    {
        var names = new List<string>();
        for (var c = result.CommandResult; c.Parent is CommandResult parent; c = parent) names.Insert(0, c.Command.Name);
        return names;
    }

    private static string Lower(string? text) =>
        string.IsNullOrEmpty(text) ? "" : char.ToLowerInvariant(text[0]) + text[1..].Split('\n')[0];
}
