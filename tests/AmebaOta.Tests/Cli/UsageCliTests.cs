using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

public class UsageCliTests
{
    [Fact]
    public async Task A_mistyped_option_value_gives_short_errors_and_a_pointer_to_help()
    {
        using var dir = new TempDir();
        var r = await Support.Cli.RunAsync(dir.Path, "image", "make", "--version", "abc", "-o", "x.bin");
        Assert.Equal(1, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains("'abc'", lines[0]);
        Assert.Equal("Try 'ameba-ota image make --help'.", lines[1].TrimEnd());
        Assert.False(File.Exists(dir.File("x.bin")));
    }

    [Fact]
    public async Task A_command_group_alone_shows_its_subcommands()
    {
        using var dir = new TempDir();
        var r = await Support.Cli.RunAsync(dir.Path, "flash");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("set-recovery-pin", r.Stdout);
    }

    [Fact]
    public async Task Version_prints_the_package_version()
    {
        using var dir = new TempDir();
        var r = await Support.Cli.RunAsync(dir.Path, "--version");
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+\s*$", r.Stdout);
    }
}
