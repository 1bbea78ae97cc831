using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

/// <summary><c>ameba-ota device control PATH COMMAND</c>: scripts drive a running board without socat.</summary>
public class DeviceControlCommandCliTests
{
    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    [Fact]
    public async Task Commands_as_arguments_or_on_stdin_get_the_boards_replies_and_a_refusal_exits_1()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        CliAssert.Ok(await Run(dir, "flash", "create", "board.bin"));
        CliAssert.Ok(await Run(dir, "flash", "dap", "board.bin", "v1.bin"));
        string socket = dir.File("board.sock");
        await using var device = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0", "--no-mdns", "--no-stdin", "--control", socket);
        await device.WaitForPortAsync();

        var status = CliAssert.Ok(await Run(dir, "device", "control", socket, "status"));
        Assert.StartsWith("ok: boots 1; booted 0xb000 version 1 (basic); pins all low;", status.Stdout);

        var pin = CliAssert.Ok(await Run(dir, "device", "control", socket, "pin", "18", "high"));
        Assert.Equal(["ok: pin 18 (PE_5) high: read at the next reset (reset to apply)"], pin.Lines);

        var refused = await Run(dir, "device", "control", socket, "frobnicate");
        Assert.Equal("error: unknown command 'frobnicate' (commands: reset, pin <pin> high|low, wifi down|up, power-cut, status, quit, help)",
            CliAssert.OneLineError(refused, 1));

        // Several commands on stdin, one per line; blank lines and comments get no reply, as on the socket itself.
        var psi = Support.Cli.StartInfo(dir.Path, "device", "control", socket);
        using var script = System.Diagnostics.Process.Start(psi)!;
        await script.StandardInput.WriteAsync("# recovery\npin 18 low\n\nreset\n");
        script.StandardInput.Close();
        string output = await script.StandardOutput.ReadToEndAsync();
        await script.WaitForExitAsync();
        Assert.Equal(0, script.ExitCode);
        Assert.Equal("ok: pin 18 (PE_5) low: read at the next reset (reset to apply)\nok: reset: the board boots again\n", output.Replace("\r", ""));
        await device.Serial.WaitForAsync("This is version 1", 2);

        Assert.Equal(["ok: powering off"], CliAssert.Ok(await Run(dir, "device", "control", socket, "quit")).Lines);
        Assert.Equal(0, await device.WaitForExitAsync());
    }

    [Fact]
    public async Task No_board_on_the_path_is_exit_4_with_the_command_that_starts_one()
    {
        using var dir = new TempDir();
        Assert.Equal($"error: no board listens on 'none.sock' (start one with: ameba-ota device run --flash FILE --control none.sock)",
            CliAssert.OneLineError(await Run(dir, "device", "control", "none.sock", "status"), 4));
    }
}
