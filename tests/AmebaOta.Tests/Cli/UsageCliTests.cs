using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

public class UsageCliTests
{
    [Fact]
    public async Task A_mistyped_option_value_gives_one_line_saying_what_the_option_takes_and_where_help_is()
    {
        using var dir = new TempDir();
        var r = await Support.Cli.RunAsync(dir.Path, "image", "make", "--version", "abc", "-o", "x.bin");
        Assert.Equal("error: --version takes a whole number from 0 to 4294967295, not 'abc'; see 'ameba-ota image make --help'",
            CliAssert.OneLineError(r, 1));
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
