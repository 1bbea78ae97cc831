using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Recipes;

/// <summary>
/// docs/arduino.md's Arduino IDE recipe (docs/arduino/platform.local.txt) run the way the IDE runs a network pattern: placeholders
/// filled in, the line split on spaces outside quotes, the program name replaced by the built CLI, against a virtual board.
/// </summary>
public class ArduinoRecipeTests
{
    [Fact]
    public async Task The_platform_local_txt_pattern_uploads_to_a_board_through_a_tools_path_with_spaces()
    {
        var keys = File.ReadAllLines(RepoFiles.Path("docs/arduino/platform.local.txt"))
            .Where(l => l.StartsWith("tools.", StringComparison.Ordinal))
            .Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        Assert.Equal(["", ".linux", ".macosx", ".windows"], keys.Keys.Select(k => k["tools.ameba_1_tools.upload.network_pattern".Length..]).Order());
        string pattern = keys["tools.ameba_1_tools.upload.network_pattern.linux"];

        using var dir = new TempDir();
        string name = "Ide-" + Guid.NewGuid().ToString("n")[..6];
        string tools = Directory.CreateDirectory(dir.File("Arduino15 packages/realtek/tools/ameba_1_tools/1.0.0")).FullName;
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "make", "--version", "1", "--name", name, "-o", "v1.bin")).ExitCode);
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "make", "--version", "2", "--name", name, "-o", Path.Combine(tools, "ota.bin"))).ExitCode);
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "flash", "create", "board.bin")).ExitCode);
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "flash", "dap", "board.bin", "v1.bin")).ExitCode);
        await using var device = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0", "--interface", "lo");
        int port = await device.WaitForPortAsync();
        await device.Serial.WaitForAsync("Wait for client");

        string line = pattern.Replace("{serial.port}", "127.0.0.1").Replace("{network.port}", port.ToString())
            .Replace("{runtime.tools.ameba_1_tools.path}", tools);
        var words = IdeCommandLine.Split(line);
        Assert.Equal("ameba-ota", words[0]);
        Assert.Equal(["upload", "-i", "127.0.0.1", "-p", port.ToString(), "-f", Path.Combine(tools, "ota.bin"), "--wait-reboot", "30"], words[1..]);

        var upload = await Support.Cli.RunAsync(dir.Path, words[1..]);

        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Contains("the board rebooted", upload.Stdout);
        await device.Serial.WaitForAsync("This is version 2");
    }
}
