using System.Net;
using System.Text.Json;
using AmebaOta.Discovery;
using AmebaOta.Discovery.Dns;
using AmebaOta.Tests.Discovery;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Arduino;

/// <summary>
/// <c>arduino-discovery</c> driven over stdin/stdout exactly as arduino-cli drives a pluggable discovery (HELLO 1 "arduino-cli …",
/// then START_SYNC and events; or START, LIST, STOP; then QUIT), against virtual boards that appear and disappear.
/// </summary>
public class ArduinoDiscoveryCliTests
{
    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    private static JsonElement Json(string line) => JsonDocument.Parse(line).RootElement;

    private static bool Is(string line, string eventType, string? address = null)
    {
        var e = Json(line);
        return e.GetProperty("eventType").GetString() == eventType &&
               (address is null || e.GetProperty("port").GetProperty("address").GetString() == address);
    }

    [Fact]
    public async Task Farm_boards_are_added_as_network_ports_and_removed_when_they_say_goodbye()
    {
        using var dir = new TempDir();
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "1", "-o", "v1.bin")).ExitCode);
        await using var discovery = CommandProcess.Start(dir.Path, "arduino-discovery", "--interface", "lo");
        await discovery.WriteLineAsync("LIST");   // before HELLO: refused, as the reference implementation does
        Assert.Contains("First command must be HELLO", await discovery.Serial.WaitForAsync(l => Is(l, "command_error"), "command_error"));
        await discovery.WriteLineAsync("HELLO 1 \"arduino-cli 1.1.1\"");
        var hello = Json(await discovery.Serial.WaitForAsync(l => Is(l, "hello"), "hello"));
        Assert.Equal((1, "OK"), (hello.GetProperty("protocolVersion").GetInt32(), hello.GetProperty("message").GetString()));
        await discovery.WriteLineAsync("START_SYNC");
        await discovery.Serial.WaitForAsync(l => Is(l, "start_sync"), "start_sync");

        string prefix = "Ard" + Guid.NewGuid().ToString("n")[..5];
        string baseIp = FarmProcess.UniqueBaseIp();
        var first = IPAddress.Parse(baseIp).ToString();
        var second = new IPAddress(IPAddress.Parse(baseIp).GetAddressBytes()[..3].Append((byte)2).ToArray()).ToString();
        var farm = FarmProcess.Start(dir.Path, "--count", "2", "--image", "v1.bin", "--dir", "boards", "--base-ip", baseIp, "--name-prefix", prefix, "--interface", "lo");
        await using (farm)
        {
            var add = Json(await discovery.Serial.WaitForAsync(l => Is(l, "add", first), $"add {first}")).GetProperty("port");
            await discovery.Serial.WaitForAsync(l => Is(l, "add", second), $"add {second}");
            Assert.Equal(($"{prefix}-001 at {first}", "network", "Network Port"),
                (add.GetProperty("label").GetString(), add.GetProperty("protocol").GetString(), add.GetProperty("protocolLabel").GetString()));
            var properties = add.GetProperty("properties");
            Assert.Equal($"{prefix}-001.local.", properties.GetProperty("hostname").GetString());
            Assert.Equal("5000", properties.GetProperty("port").GetString());
            Assert.Equal("ameba_rtl8195a", properties.GetProperty("board").GetString());
            Assert.Equal("ameba_rtl8195a", properties.GetProperty(".").GetString());
            Assert.Equal("no", properties.GetProperty("tcp_check").GetString());

            Assert.Equal(0, await farm.StopAsync());   // every board says goodbye
        }
        var remove = Json(await discovery.Serial.WaitForAsync(l => Is(l, "remove", first), $"remove {first}")).GetProperty("port");
        Assert.Equal("network", remove.GetProperty("protocol").GetString());
        await discovery.Serial.WaitForAsync(l => Is(l, "remove", second), $"remove {second}");

        await discovery.WriteLineAsync("QUIT");
        await discovery.Serial.WaitForAsync(l => Is(l, "quit"), "quit");
        Assert.Equal(0, await discovery.WaitForExitAsync());
    }

    [Fact]
    public async Task A_board_that_goes_silent_is_removed_when_its_records_expire()
    {
        using var dir = new TempDir();
        await using var discovery = CommandProcess.Start(dir.Path, "arduino-discovery", "--interface", "lo");
        await discovery.WriteLineAsync("HELLO 1 \"arduino-cli 1.1.1\"");
        await discovery.WriteLineAsync("START_SYNC");
        await discovery.Serial.WaitForAsync(l => Is(l, "start_sync"), "start_sync");

        // One announcement with 2-second TTLs, then silence: no goodbye, nobody answers the queries.
        string name = "Ttl" + Guid.NewGuid().ToString("n")[..6];
        var address = IPAddress.Parse($"127.{200 + Random.Shared.Next(50)}.{Random.Shared.Next(1, 250)}.9");
        var records = new ServiceRecords(new ServiceAdvertisement(name, name, address, 5000, ArduinoService.StockTxt), name, name);
        using var socket = new RawMdnsSocket(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Send(new DnsMessage { Header = DnsHeader.Response, Answers = [records.Ptr.WithTtl(2), records.Srv.WithTtl(2), records.Txt.WithTtl(2), records.A.WithTtl(2)] });

        var added = await discovery.Serial.WaitForAsync(l => Is(l, "add", address.ToString()), "add");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await discovery.Serial.WaitForAsync(l => Is(l, "remove", address.ToString()), "remove after the TTL", timeout: TimeSpan.FromSeconds(15));
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.5, 10);
        Assert.Equal($"{name} at {address}", Json(added).GetProperty("port").GetProperty("label").GetString());

        // The one-shot way (START, LIST, STOP) works after STOP too.
        await discovery.WriteLineAsync("STOP");
        await discovery.Serial.WaitForAsync(l => Is(l, "stop"), "stop");
        await discovery.WriteLineAsync("START");
        await discovery.WriteLineAsync("LIST");
        var list = Json(await discovery.Serial.WaitForAsync(l => Is(l, "list"), "list"));
        Assert.Equal(JsonValueKind.Array, list.GetProperty("ports").ValueKind);
        await discovery.WriteLineAsync("START_SYNC");
        Assert.True(Json(await discovery.Serial.WaitForAsync(l => Is(l, "start_sync"), "start_sync refused", occurrence: 2)).GetProperty("error").GetBoolean());
        await discovery.WriteLineAsync("FROBNICATE");
        Assert.Contains("not supported", Json(await discovery.Serial.WaitForAsync(l => Is(l, "command_error"), "command_error")).GetProperty("message").GetString());
        await discovery.WriteLineAsync("QUIT");
        Assert.Equal(0, await discovery.WaitForExitAsync());
    }
}
