using AmebaOta.Tests.Support;
using static AmebaOta.Tests.Support.PtySession;

namespace AmebaOta.Tests.Cli;

/// <summary>What only happens on a real terminal (a pseudo-terminal here): typed commands, SIGHUP when it closes, colours.</summary>
public class TerminalCliTests
{
    private static async Task<TempDir> BoardDir()
    {
        var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "flash", "create", "board.bin")).ExitCode);
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "flash", "dap", "board.bin", "v1.bin")).ExitCode);
        return dir;
    }

    [Fact]
    public async Task Commands_typed_at_a_terminal_and_ended_with_Enter_are_echoed_and_answered()
    {
        using var dir = await BoardDir();
        var r = await RunCliAsync(dir.Path,
            [Expect("Wait for client"), Send("status\r"), Expect(@"ok: boots 1;"), Send("pin 18 high\r"), Expect(@"ok: pin 18 \(PE_5\) high"), Send("quit\r"), Wait()],
            null, "device", "run", "--flash", "board.bin", "--port", "0", "--no-mdns");

        Assert.True(r.Failed is null && r.ExitCode == 0, r.ToString());
        // The terminal echoed what was typed, before the board's reply to it.
        int typed = r.Transcript.IndexOf("status\r\n", StringComparison.Ordinal);
        int reply = r.Transcript.IndexOf("[virtual board] ok: boots 1;", StringComparison.Ordinal);
        Assert.True(typed >= 0 && typed < reply, r.ToString());
        Assert.Contains("[virtual board] stopped; board.bin written back", r.Transcript);
    }

    [Fact]
    public async Task Closing_the_terminal_stops_the_board_as_cleanly_as_SIGTERM_flash_written_back_and_mdns_goodbye_sent()
    {
        using var dir = await BoardDir();
        string name = "Hup-" + Guid.NewGuid().ToString("n")[..6];
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "make", "--version", "1", "--name", name, "-o", "named.bin")).ExitCode);
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "flash", "dap", "board.bin", "named.bin")).ExitCode);
        using var mdns = new Discovery.RawMdnsSocket(new System.Net.IPEndPoint(System.Net.IPAddress.Any, 5353), joinGroup: true);
        var goodbye = mdns.ReceiveAsync(m => m.Answers.Any(a => a.Ttl == 0 && a.Name.ToString().StartsWith(name, StringComparison.OrdinalIgnoreCase)), TimeSpan.FromSeconds(60));

        // stderr to a file: the notes must still arrive after the terminal is gone.
        var r = await RunCliAsync(dir.Path, [Expect("Wait for client"), Hangup(), Wait()], dir.File("notes.log"),
            "device", "run", "--flash", "board.bin", "--port", "0", "--interface", "lo");

        Assert.True(r.Failed is null && r.ExitCode == 0 && r.Signal is null, r.ToString());   // not killed by SIGHUP
        Assert.Contains("[virtual board] stopped; board.bin written back", File.ReadAllText(dir.File("notes.log")));
        Assert.NotNull(await goodbye);
    }

    [Fact]
    public async Task Errors_and_warnings_are_coloured_on_a_terminal_and_plain_when_redirected()
    {
        using var dir = await BoardDir();
        var warned = await RunCliAsync(dir.Path, [Wait()], null, "flash", "set-ota-address", "board.bin", "0x80800");
        Assert.Contains("\u001b[1;33mwarning: the address is not 4 KiB aligned", warned.Transcript);
        var failed = await RunCliAsync(dir.Path, [Wait()], null, "image", "info", "missing.bin");
        Assert.Equal(2, failed.ExitCode);
        Assert.Contains("\u001b[1;31merror: ", failed.Transcript);

        var redirected = await Support.Cli.RunAsync(dir.Path, "image", "info", "missing.bin");
        Assert.StartsWith("error: ", redirected.Stderr);
        Assert.DoesNotContain('\u001b', redirected.Stderr);
    }
}
