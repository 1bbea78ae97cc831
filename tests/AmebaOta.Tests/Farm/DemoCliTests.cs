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

/// <summary><c>ameba-ota demo --family amebad</c> as a real process: OTA1, OTA2, the trap (OTA2 again), then OTA1 over the air.</summary>
public class AmebaDDemoCliTests
{
    [Fact]
    public async Task The_amebad_demo_boots_ota1_ota2_then_ota2_despite_a_usb_upload_and_ota1_after_the_next_update()
    {
        using var dir = new TempDir();
        var result = await Support.Cli.RunAsync(dir.Path, "demo", "--family", "amebad");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Stderr);

        var banks = result.Lines.Where(l => l.StartsWith("board │ [MODULE_BOOT-LEVEL_INFO]:OTA", StringComparison.Ordinal)).Select(l => l[^8..]);
        Assert.Equal(["OTA1 USE", "OTA2 USE", "OTA2 USE", "OTA1 USE"], banks);
        var oks = result.Lines.Where(l => l.StartsWith("host  │ ok: ", StringComparison.Ordinal)).Select(l => l[(l.LastIndexOf(';') + 2)..]);
        Assert.Equal(["OTA1 runs version 1", "OTA2 runs version 2", "OTA2 runs version 2", "OTA1 runs version 3"], oks);
        Assert.Contains(result.Lines, l => l.StartsWith("host  │ found ") && l.Contains("port 5000, TXT board=ameba_rtl8721d"));
        Assert.Contains(result.Lines, l => l.Contains("advertises port 5000 but listens on 8082"));
        Assert.Contains(result.Lines, l => l.StartsWith("host  │ flash boot bw16.bin  →  both banks start with 81958711"));
        Assert.Equal(2, result.Lines.Count(l => l == "board │ [change_ota_signature] Update OTA success![beginOTA] Update OTA signature done"));
        Assert.StartsWith("demo finished in ", result.Lines[^1]);
    }
}
