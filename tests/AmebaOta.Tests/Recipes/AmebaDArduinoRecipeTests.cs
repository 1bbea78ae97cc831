using System.Diagnostics;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Recipes;

/// <summary>
/// docs/arduino.md's AmebaD recipe (docs/arduino/amebad/platform.local.txt) run the way the IDE runs it: the build hooks
/// (the package's copy, then OTA_All.bin), and the network pattern, placeholders filled in, split on spaces outside
/// quotes, against a virtual AmebaD board that advertises 5000 and listens on 8082.
/// </summary>
public sealed class AmebaDArduinoRecipeTests
{
    private const string Hook = "recipe.hooks.objcopy.postobjcopy.";
    private const string Network = "tools.ameba_d_tools.upload.network_pattern";

    [Fact]
    public async Task The_build_hooks_make_OTA_All_bin_and_the_network_pattern_updates_a_board_on_8082_through_paths_with_spaces()
    {
        var keys = File.ReadAllLines(RepoFiles.Path("docs/arduino/amebad/platform.local.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        Assert.Equal(["", ".linux", ".macosx", ".windows"], keys.Keys.Where(k => k.StartsWith(Network, StringComparison.Ordinal)).Select(k => k[Network.Length..]).Order());
        Assert.Equal(["1.pattern.linux", "1.pattern.macosx", "1.pattern.windows", "2.pattern"],
            keys.Keys.Where(k => k.StartsWith(Hook, StringComparison.Ordinal)).Select(k => k[Hook.Length..]).Order());

        using var dir = new TempDir();
        string name = "IdeD-" + Guid.NewGuid().ToString("n")[..6];
        string address = $"127.0.{Random.Shared.Next(100, 250)}.{Random.Shared.Next(2, 250)}";
        string tools = Directory.CreateDirectory(dir.File("Arduino15 packages/realtek/tools/ameba_d_tools/1.1.3")).FullName;
        string build = Directory.CreateDirectory(dir.File("arduino build/sketch 1")).FullName;
        // What the package's post-build tool leaves in its tools folder.
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "make", "--family", "amebad", "--version", "2", "--name", name, "--size", "100K",
            "-o", Path.Combine(tools, "km0_km4_image2.bin"))).ExitCode);

        string Fill(string pattern) => pattern.Replace("{runtime.tools.ameba_d_tools.path}", tools).Replace("{build.path}", build).Replace("{serial.port}", address);
        var copy = IdeCommandLine.Split(Fill(keys[Hook + "1.pattern.linux"]));
        Assert.Equal(["cp", "-f", Path.Combine(tools, "km0_km4_image2.bin"), build], copy);
        using (var cp = Process.Start(copy[0], copy[1..])!) { await cp.WaitForExitAsync(); Assert.Equal(0, cp.ExitCode); }
        var otaAll = IdeCommandLine.Split(Fill(keys[Hook + "2.pattern"]));
        Assert.Equal("ameba-ota", otaAll[0]);
        for (int build1 = 0; build1 < 2; build1++)   // a second build replaces the first one's OTA_All.bin
        {
            var made = await Support.Cli.RunAsync(dir.Path, otaAll[1..]);
            Assert.True(made.ExitCode == 0, made.ToString());
        }
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "ota-all", Path.Combine(build, "km0_km4_image2.bin"), "-o", "expected.bin")).ExitCode);
        Assert.Equal(File.ReadAllBytes(dir.File("expected.bin")), File.ReadAllBytes(Path.Combine(build, "OTA_All.bin")));

        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "make", "--family", "amebad", "--version", "1", "--name", name, "-o", "v1.bin")).ExitCode);
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "flash", "create", "--family", "amebad", "bw16.bin")).ExitCode);
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "flash", "dap", "bw16.bin", "v1.bin")).ExitCode);
        await using var device = DeviceProcess.Start(dir.Path, "--flash", "bw16.bin", "--ip", address, "--interface", "lo");
        await device.Serial.WaitForAsync("Waiting for client ...", timeout: TimeSpan.FromSeconds(60));

        var words = IdeCommandLine.Split(Fill(keys[Network + ".linux"]));
        Assert.Equal(["ameba-ota", "upload", "-i", address, "-f", Path.Combine(build, "OTA_All.bin"), "--wait-reboot"], words);
        var upload = await Support.Cli.RunAsync(dir.Path, words[1..]);

        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Contains($"to {address}:8082", upload.Stdout);
        Assert.Contains("the board rebooted", upload.Stdout);
        await device.Serial.WaitForAsync("[MODULE_BOOT-LEVEL_INFO]:OTA2 USE");
    }
}
