using System.CommandLine;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

/// <summary>Every command, group or leaf, shows an example in its <c>--help</c>; <c>--version</c> prints the package version.</summary>
public class HelpExamplesCliTests
{
    public static TheoryData<string> CommandPaths()
    {
        var paths = new TheoryData<string>();
        Walk(AmebaOta.Cli.Program.BuildRootCommand(), "");
        return paths;

        void Walk(Command command, string path)
        {
            paths.Add(path);
            foreach (var sub in command.Subcommands) Walk(sub, (path + " " + sub.Name).Trim());
        }
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public async Task Help_shows_an_example(string path)
    {
        using var dir = new TempDir();
        var help = await Support.Cli.RunAsync(dir.Path, [.. path.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("Example: ameba-ota " + path, help.Stdout.Replace("\n  ", " "));
    }

    [Fact]
    public async Task The_top_level_help_names_every_family_it_updates()
    {
        using var dir = new TempDir();
        var help = await Support.Cli.RunAsync(dir.Path, "--help");
        Assert.True(help.ExitCode == 0, help.ToString());
        string text = help.Stdout.Replace("\n  ", " ");
        Assert.Contains("Realtek Ameba boards (Ameba1 (RTL8195A, RTL8710), ", text);
        foreach (var family in AmebaOta.Families.BoardFamilies.All) Assert.Contains(family.DisplayName, text);
    }

    [Fact]
    public async Task Version_prints_the_package_version()
    {
        using var dir = new TempDir();
        var version = await Support.Cli.RunAsync(dir.Path, "--version");
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+\s*$", version.Stdout);
    }
}
