using System.Text.RegularExpressions;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Farm;

/// <summary><c>ameba-ota demo</c> as a real process: the whole tutorial, every boot decision in order, exit 0.</summary>
public class DemoCliTests
{
    [Fact]
    public async Task The_demo_shows_the_four_boot_decisions_of_the_tutorial_in_order_and_exits_0()
    {
        using var dir = new TempDir();
        var result = await Support.Cli.RunAsync(dir.Path, "demo");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Stderr);

        var boots = result.Lines.Select(l => Regex.Match(l, @"^board │ Flash Image2:Addr (0x[0-9a-f]+),")).Where(m => m.Success).Select(m => m.Groups[1].Value);
        Assert.Equal(["0xb000", "0x80000", "0xb000", "0x80000"], boots);
        var versions = result.Lines.Where(l => l.StartsWith("board │ This is version ")).Select(l => l[^1..]);
        Assert.Equal(["1", "2", "1", "2"], versions);
        Assert.Contains(result.Lines, l => l.StartsWith("host  │ found ") && l.Contains(" at 127.0.0.1 (RTL8195AM)"));
        Assert.Contains("board │ OTA success", result.Lines);
        Assert.StartsWith("demo finished in ", result.Lines[^1]);
    }
}
