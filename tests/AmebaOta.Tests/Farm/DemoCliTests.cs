using System.Text.RegularExpressions;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Farm;

/// <summary>The demos bind the examples' ports (5000, 8082, 3000) when free: run one at a time, so that none takes a port another just found free.</summary>
public static class DemoPorts
{
    public const string Collection = "demos on the examples' ports";
}

/// <summary><c>ameba-ota demo</c> as a real process: the whole tutorial, every boot decision in order, exit 0.</summary>
[Collection(DemoPorts.Collection)]
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
[Collection(DemoPorts.Collection)]
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

/// <summary>
/// <c>ameba-ota demo --family amebapro2</c> as a real process: FW1, FW2 after the update, FW2 again after an older build
/// was written into FW1, a failed update that leaves the board stuck until the reset, then FW1 with the newest build.
/// </summary>
[Collection(DemoPorts.Collection)]
public class AmebaPro2DemoCliTests
{
    [Fact]
    public async Task The_amebapro2_demo_shows_the_boot_rule_the_older_build_never_booted_and_the_board_stuck_until_reset()
    {
        using var dir = new TempDir();
        var result = await Support.Cli.RunAsync(dir.Path, "demo", "--family", "amebapro2");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Stderr);

        var slots = result.Lines.Where(l => l.StartsWith("board │ === Load FW", StringComparison.Ordinal)).Select(l => l["board │ === Load ".Length..^" ===".Length]);
        Assert.Equal(["FW1", "FW2", "FW2", "FW2", "FW1"], slots);
        var versions = result.Lines.Where(l => l.StartsWith("board │ This is version ", StringComparison.Ordinal)).Select(l => l[^1..]);
        Assert.Equal(["1", "2", "2", "2", "4"], versions);
        // The older build: refused by the check, forced, written with a valid label, and the boot code kept FW2.
        Assert.Contains(result.Lines, l => l.StartsWith("host  │ check before triggering: refusing v3.bin: ", StringComparison.Ordinal) && l.Contains("not newer than the running firmware"));
        Assert.Equal(3, result.Lines.Count(l => l == "board │ [ota_flash_NOR] Append FW label"));
        Assert.Contains("host  │ flash boot amb82.bin  →  FW1: version 1, built 2026-01-15 11:00:00 UTC, FW2: version 1, built 2026-01-15 12:00:00 UTC: FW2 is newer, v3 is never booted", result.Lines);
        // The failure: a 404, the state stuck at COMPLETED, the next update refused by the board until the reset.
        Assert.Contains("board │ [parse_http_response] The http response status code is 404", result.Lines);
        Assert.Contains("host  │ heartbeat from 127.0.0.1: OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("host  │ not-started: it is stuck", StringComparison.Ordinal) && l.EndsWith("reset the board, it ignores triggers until then"));
        Assert.Equal(3, result.Lines.Count(l => l.StartsWith("host  │ updated: it took all 131076 bytes", StringComparison.Ordinal)));
        Assert.StartsWith("demo finished in ", result.Lines[^1]);
    }
}
