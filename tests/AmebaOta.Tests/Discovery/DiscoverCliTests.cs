using System.Diagnostics;
using System.Text.Json;
using AmebaOta.Discovery;
using AmebaOta.Tests.Support;
using static AmebaOta.Tests.Discovery.MdnsLoopbackTests;

namespace AmebaOta.Tests.Discovery;

/// <summary>The real <c>ameba-ota discover</c> / <c>mdns advertise</c> processes on loopback.</summary>
public class DiscoverCliTests
{
    [Fact]
    public async Task Discover_device_prints_the_arduino_label_and_json_has_the_same_fields()
    {
        var name = UniqueName("CliBoard");
        await using var responder = Responder();
        await responder.StartAsync(Board(name, 5000, "127.0.0.1"));
        using var dir = new TempDir();

        var text = await Support.Cli.RunAsync(dir.Path, "discover", "--interface", "lo", "--device", name);
        Assert.Equal(0, text.ExitCode);
        Assert.Equal($"{name} at 127.0.0.1 (RTL8195AM)  host {name}.local  port 5000  board ameba_rtl8195a  family ameba1", text.Lines.Single());

        var json = await Support.Cli.RunAsync(dir.Path, "discover", "--interface", "127.0.0.1", "--timeout", "1", "--json");
        Assert.Equal(0, json.ExitCode);
        var board = JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        Assert.Equal($"{name} at 127.0.0.1 (RTL8195AM)", board.GetProperty("label").GetString());
        Assert.Equal($"{name}.local", board.GetProperty("host").GetString());
        Assert.Equal("127.0.0.1", board.GetProperty("address").GetString());
        Assert.Equal(5000, board.GetProperty("port").GetInt32());
        Assert.Equal("ameba_rtl8195a", board.GetProperty("board").GetString());
        Assert.Equal("RTL8195AM", board.GetProperty("boardName").GetString());
        Assert.Equal(["board=ameba_rtl8195a", "auth_upload=no", "tcp_check=no", "ssh_upload=no"],
            board.GetProperty("txt").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}"));
    }

    /// <summary>
    /// A board's name is the network's to choose: an <c>ESC[31m</c> in it must not recolour the terminal, nor a newline forge
    /// a line, in discover's text or in <c>boards</c> (which shows what discover recorded). An address the interface
    /// cannot reach is marked.
    /// </summary>
    [Fact]
    public async Task Discover_escapes_control_characters_and_marks_an_address_outside_the_interface()
    {
        var host = UniqueName("Hostile");
        var instance = $"Red\u001b[31m{host}\nforged";
        await using var responder = Responder();
        await responder.StartAsync(new ServiceAdvertisement(instance, host, System.Net.IPAddress.Parse("192.0.2.7"), 5000, ArduinoService.StockTxt));
        using var dir = new TempDir();
        var db = dir.File("history.db");

        var text = await Support.Cli.RunAsync(dir.Path, "discover", "--interface", "lo", "--device", host, "--db", db);
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Equal($"Red\\x1b[31m{host}\\x0aforged at 192.0.2.7 (RTL8195AM)  host {host}.local  port 5000  board ameba_rtl8195a  family ameba1" +
                     "  (!) 192.0.2.7 is outside the networks of the interface listened on (lo: 127.0.0.0/8): not reachable through it", text.Lines.Single());
        Assert.DoesNotContain('\u001b', text.Stdout);

        var boards = await Support.Cli.RunAsync(dir.Path, "boards", "--db", db);
        Assert.True(boards.ExitCode == 0, boards.ToString());
        Assert.Contains($"Red\\x1b[31m{host}\\x0aforged", boards.Stdout.Replace("\n", ""));
        Assert.DoesNotContain('\u001b', boards.Stdout);

        var json = await Support.Cli.RunAsync(dir.Path, "discover", "--interface", "lo", "--device", host, "--json", "--db", "none");
        Assert.Equal(instance, JsonDocument.Parse(json.Stdout).RootElement.GetProperty("name").GetString());   // JSON escapes by itself, and keeps the name exact
    }

    [Fact]
    public async Task Discover_device_that_does_not_answer_exits_6_within_the_timeout()
    {
        using var dir = new TempDir();
        var clock = Stopwatch.StartNew();
        var result = await Support.Cli.RunAsync(dir.Path, "discover", "--interface", "lo", "--device", UniqueName("Nobody"), "--timeout", "0.5");
        Assert.Equal(6, result.ExitCode);
        Assert.StartsWith("error: no board named", result.Stderr);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), clock.Elapsed.ToString());
    }

    [Fact]
    public async Task Unknown_interface_is_one_error_line()
    {
        using var dir = new TempDir();
        var result = await Support.Cli.RunAsync(dir.Path, "discover", "--interface", "nosuch0", "--timeout", "0.2");
        Assert.Equal(9, result.ExitCode);
        Assert.StartsWith("error: no multicast-capable IPv4 interface named 'nosuch0'", result.Stderr);
    }

    [Fact]
    public async Task Watch_prints_a_board_advertised_by_another_process_and_its_goodbye()
    {
        var name = UniqueName("CliWatch");
        using var dir = new TempDir();
        using var watch = Process.Start(Support.Cli.StartInfo(dir.Path, "discover", "--interface", "lo", "--watch", "--device", name))!;
        using var advertise = Process.Start(Support.Cli.StartInfo(dir.Path, "mdns", "advertise", "--name", name, "--port", "5123", "--ip", "127.0.0.42", "--interface", "lo"))!;
        try
        {
            var timeout = TimeSpan.FromSeconds(15);
            Assert.Equal($"advertising {name}._arduino._tcp.local -> {name}.local 127.0.0.42:5123", await advertise.StandardOutput.ReadLineAsync().WaitAsync(timeout));
            Assert.Equal($"+ appeared: {name} at 127.0.0.42 (RTL8195AM)  host {name}.local  port 5123  board ameba_rtl8195a  family ameba1",
                await watch.StandardOutput.ReadLineAsync().WaitAsync(timeout));

            Terminate(advertise);   // as Ctrl+C: the helper sends goodbyes and exits 0
            Assert.Equal("goodbye sent", await advertise.StandardOutput.ReadLineAsync().WaitAsync(timeout));
            await advertise.WaitForExitAsync().WaitAsync(timeout);
            Assert.Equal(0, advertise.ExitCode);
            Assert.Equal($"- disappeared: {name} at 127.0.0.42 (RTL8195AM)  host {name}.local  port 5123  board ameba_rtl8195a  family ameba1",
                await watch.StandardOutput.ReadLineAsync().WaitAsync(timeout));

            Terminate(watch);
            await watch.WaitForExitAsync().WaitAsync(timeout);
            Assert.Equal(0, watch.ExitCode);
        }
        finally
        {
            if (!advertise.HasExited) advertise.Kill();
            if (!watch.HasExited) watch.Kill();
        }
    }

    /// <summary>SIGTERM, which System.CommandLine treats like Ctrl+C (cancels the action's token).</summary>
    private static void Terminate(Process process)
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString()]);
        kill.WaitForExit();
    }
}
