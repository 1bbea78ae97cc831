using System.Text.Json;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Recipes;

/// <summary>
/// docs/arduino.md's IDE 2 / arduino-cli registration (docs/arduino/discovery/): the discovery pattern started as arduino-cli starts
/// it, its <c>add</c> event's address and port filled into the upload pattern as arduino-cli fills them, against a virtual board.
/// </summary>
public class ArduinoDiscoveryRecipeTests
{
    private static Dictionary<string, string> Keys(string file) => File.ReadAllLines(RepoFiles.Path(file))
        .Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);

    [Fact]
    public void Every_board_of_the_package_gets_its_usb_and_network_upload_tools()
    {
        var boards = Keys("docs/arduino/discovery/boards.local.txt");
        foreach (var id in new[] { "ameba_rtl8195a", "ameba_rtl8710", "ameba_rtl81711am" })
        {
            Assert.Equal("ameba_1_tools", boards[$"{id}.upload.tool.default"]);
            Assert.Equal("ameba_ota", boards[$"{id}.upload.tool.network"]);
        }
        var platform = Keys("docs/arduino/discovery/platform.local.txt");
        Assert.Equal("builtin:serial-discovery", platform["pluggable_discovery.required.0"]);
        Assert.Equal("builtin:serial-monitor", platform["pluggable_monitor.required.serial"]);
    }

    [Fact]
    public async Task The_discovery_pattern_lists_a_board_whose_port_the_upload_pattern_then_updates()
    {
        var platform = Keys("docs/arduino/discovery/platform.local.txt");
        var discoveryWords = IdeCommandLine.Split(platform["pluggable_discovery.ameba_ota.pattern"]);
        Assert.Equal(["ameba-ota", "arduino-discovery"], discoveryWords);

        using var dir = new TempDir();
        string name = "Ide2-" + Guid.NewGuid().ToString("n")[..6];
        string tools = Directory.CreateDirectory(dir.File("Arduino15 packages/realtek/tools/ameba_1_tools/1.0.0")).FullName;
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "make", "--version", "1", "--name", name, "-o", "v1.bin")).ExitCode);
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "make", "--version", "2", "--name", name, "-o", Path.Combine(tools, "ota.bin"))).ExitCode);
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "flash", "create", "board.bin")).ExitCode);
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "flash", "dap", "board.bin", "v1.bin")).ExitCode);
        await using var device = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0", "--interface", "lo");
        await device.WaitForPortAsync();
        await device.Serial.WaitForAsync("Wait for client");

        // As arduino-cli: start the pattern's command (no --interface: in the test namespace lo is the only interface), HELLO, START_SYNC.
        await using var discovery = CommandProcess.Start(dir.Path, discoveryWords[1..]);
        await discovery.WriteLineAsync("HELLO 1 \"arduino-cli 1.1.1\"");
        await discovery.WriteLineAsync("START_SYNC");
        var add = await discovery.Serial.WaitForAsync(l => l.Contains("\"eventType\":\"add\"") && l.Contains($"\"label\":\"{name} at 127.0.0.1\""), $"add {name}");
        var port = JsonDocument.Parse(add).RootElement.GetProperty("port");

        string line = platform["tools.ameba_ota.upload.pattern"]
            .Replace("{upload.port.address}", port.GetProperty("address").GetString())
            .Replace("{upload.port.properties.port}", port.GetProperty("properties").GetProperty("port").GetString())
            .Replace("{runtime.tools.ameba_1_tools.path}", tools);
        var words = IdeCommandLine.Split(line);
        Assert.Equal("ameba-ota", words[0]);

        var upload = await Support.Cli.RunAsync(dir.Path, words[1..]);

        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Contains("the board rebooted", upload.Stdout);
        await device.Serial.WaitForAsync("This is version 2");
        await discovery.WriteLineAsync("QUIT");
        Assert.Equal(0, await discovery.WaitForExitAsync());
    }
}
