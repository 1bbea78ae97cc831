using System.CommandLine;

namespace AmebaOta.Cli.Commands;

/// <summary>Options several commands share, spelt the same everywhere.</summary>
public static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Write machine-readable JSON to stdout instead of text" };
}
