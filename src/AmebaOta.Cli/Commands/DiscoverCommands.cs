using System.CommandLine;
using System.Net;
using AmebaOta.Cli.History;
using AmebaOta.Cli.Output;
using AmebaOta.Discovery;
using AmebaOta.Fleet.History;

namespace AmebaOta.Cli.Commands;

/// <summary><c>ameba-ota discover</c> (find boards by mDNS/DNS-SD) and <c>ameba-ota mdns advertise</c> (be one).</summary>
public static class DiscoverCommands
{
    /// <summary>The <c>--interface</c> option every browsing command shares (discover, upload --device, fleet).</summary>
    public static Option<string?> InterfaceOption() => new("--interface")
    {
        Description = "Network interface for mDNS, by name (lo, eth0) or address (127.0.0.1); default: every multicast-capable interface",
    };

    public static Command Discover()
    {
        var timeout = new Option<double>("--timeout") { Description = "Seconds to listen for answers (with --device: at most this long)", DefaultValueFactory = _ => 3 };
        var iface = InterfaceOption();
        var json = CommonOptions.Json();
        var watch = new Option<bool>("--watch") { Description = "Keep listening and print boards as they appear and disappear, until Ctrl+C" };
        var device = new Option<string?>("--device") { Description = "Find this board (instance or host name); exit 6 if it does not answer" };
        var db = HistoryDatabase.Option();
        var command = new Command("discover", "Find Ameba boards by mDNS/DNS-SD (_arduino._tcp), as the Arduino IDE does. Never connects to a board's OTA port.\n" +
            "Boards found are recorded as seen in the history database (see 'boards').\n" +
            "Example: ameba-ota discover --interface lo --device MyAmeba") { timeout, iface, json, watch, device, db };
        command.SetAction(async (parse, ct) => await CommandRunner.RunAsync(async () =>
        {
            double seconds = parse.GetValue(timeout);
            OptionChecks.Seconds(seconds, 3600, "--timeout");
            var browser = new MdnsBrowser(new MdnsBrowserOptions { Interface = parse.GetValue(iface) });
            string? name = parse.GetValue(device);
            bool asJson = parse.GetValue(json);
            using var history = HistoryDatabase.OpenForRecording(parse, db);
            return await Mdns(async () =>
            {
                var interfaces = MdnsInterface.Resolve(parse.GetValue(iface));
                if (parse.GetValue(watch)) return await WatchAsync(browser, name, asJson, interfaces, history, ct);
                if (name is not null)
                {
                    var found = await browser.ResolveAsync(name, TimeSpan.FromSeconds(seconds), ct)
                        ?? throw new CliError(ExitCodes.NotFound, $"no board named '{name}' answered within {seconds:0.###} s");
                    history.Try(s => s.RecordSightings([BoardSighting.Of(found)]));
                    if (asJson) JsonOut.Write(BoardJson.From(found), DiscoveryJsonContext.Default.BoardJson);
                    else Console.WriteLine(Line(found, interfaces));
                    return ExitCodes.Ok;
                }
                var all = await browser.BrowseAsync(TimeSpan.FromSeconds(seconds), ct);
                history.Try(s => s.RecordSightings(all.Select(BoardSighting.Of)));
                if (asJson) JsonOut.Write(all.Select(BoardJson.From).ToList(), DiscoveryJsonContext.Default.ListBoardJson);
                else if (all.Count == 0) Console.WriteLine("no boards found");
                else foreach (var s in all) Console.WriteLine(Line(s, interfaces));
                return ExitCodes.Ok;
            });
        }));
        return command;
    }

    /// <summary>
    /// <c>MyAmeba at 127.0.0.1 (RTL8195AM)  host MyAmeba.local  port 5000  board ameba_rtl8195a  family ameba1</c>, what came
    /// from the network made printable, a note when the board's OTA receiver listens on another port than it advertises
    /// (AmebaD: <c>(OTA port 8082)</c>), and a remark when the address lies outside every network of the interfaces listened on.
    /// </summary>
    public static string Line(DiscoveredService s, IReadOnlyList<MdnsInterface> interfaces) =>
        Printable.Of($"{s.Label}  host {s.Host}  port {s.Port}" +
                     (s.Family?.Push is { } push && push.PortFor(s.Port) != s.Port ? $" (OTA port {push.PortFor(s.Port)})" : "") +
                     $"  board {s.Board ?? "-"}  family {s.Family?.Id ?? "-"}") +
        (interfaces.Any(i => i.Holds(s.Address)) ? "" :
            $"  (!) {s.Address} is outside the network{(interfaces.Count == 1 ? "s of the interface" : "s of the interfaces")} listened on " +
            $"({string.Join("; ", interfaces.Select(i => $"{i.Name}: {string.Join(", ", i.Networks)}"))}): not reachable through {(interfaces.Count == 1 ? "it" : "them")}");

    private static async Task<int> WatchAsync(MdnsBrowser browser, string? name, bool asJson, IReadOnlyList<MdnsInterface> interfaces, BestEffortHistory history, CancellationToken ct)
    {
        // Nothing may appear for a long time: say what is going on (on stderr, so stdout keeps only the events).
        Console.Error.WriteLine($"watching for {(name is null ? "boards" : $"'{name}'")} (mDNS _arduino._tcp) on {string.Join(", ", interfaces)}: " +
            "each one that appears or disappears is printed as it happens; Ctrl+C to stop");
        try
        {
            await foreach (var e in browser.WatchAsync(ct))
            {
                if (name is not null && !e.Service.Matches(name)) continue;
                if (e.Kind == ServiceEventKind.Appeared) history.Try(s => s.RecordSightings([BoardSighting.Of(e.Service)]));
                string kind = e.Kind == ServiceEventKind.Appeared ? "appeared" : "disappeared";
                if (asJson) JsonOut.Write(new BoardEventJson(kind, BoardJson.From(e.Service)), DiscoveryJsonContext.Compact.BoardEventJson);
                else Console.WriteLine($"{(e.Kind == ServiceEventKind.Appeared ? "+" : "-")} {kind}: {Line(e.Service, interfaces)}");
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        return ExitCodes.Ok;   // Ctrl+C is how a watch ends
    }

    public static Command Mdns()
    {
        var mdns = new Command("mdns", "mDNS helpers for tests and demos.");
        mdns.Add(Advertise());
        return mdns;
    }

    private static Command Advertise()
    {
        var name = new Option<string>("--name") { Description = "Instance (device) name", DefaultValueFactory = _ => "MyAmeba" };
        var host = new Option<string?>("--host") { Description = "Host name without .local (default: the device name)" };
        var port = new Option<int>("--port") { Description = "OTA port to advertise", DefaultValueFactory = _ => 5000 };
        var ip = new Option<string>("--ip") { Description = "Address for the A record (need not be the interface's)", Required = true };
        var iface = InterfaceOption();
        var command = new Command("advertise", "Advertise a board's _arduino._tcp service (stock TXT) as the Ameba OTA library does, until Ctrl+C; then send goodbyes.\n" +
            "Example: ameba-ota mdns advertise --name MyAmeba --port 5000 --ip 127.0.0.1 --interface lo") { name, host, port, ip, iface };
        command.SetAction(async (parse, ct) => await CommandRunner.RunAsync(async () =>
        {
            var address = AddressParsing.Parse(parse.GetValue(ip)!, "--ip", allowIpv6: false, allowNames: false);
            int p = OptionChecks.InRange(parse.GetValue(port), 1, 65535, "--port");
            string device = DnsLabel(parse.GetValue(name)!, "--name");
            if (parse.GetValue(host) is { } hostName) DnsLabel(hostName, "--host");
            return await Mdns(async () =>
            {
                var advertisement = new ServiceAdvertisement(device, parse.GetValue(host) ?? device, address, (ushort)p, ArduinoService.StockTxt);
                await using var responder = new MdnsResponder(new MdnsResponderOptions { Interface = parse.GetValue(iface) });
                string claimed = await responder.StartAsync(advertisement, ct);
                Console.WriteLine($"advertising {claimed}._arduino._tcp.local -> {responder.ClaimedHostName}.local {address}:{p}" +
                    (claimed != device ? $" ('{device}' was taken)" : ""));
                try { await Task.Delay(Timeout.Infinite, ct); }
                catch (OperationCanceledException) { }
                await responder.StopAsync();
                Console.WriteLine("goodbye sent");
                return ExitCodes.Ok;
            });
        }));
        return command;
    }

    /// <summary>An mDNS instance or host name: one DNS label, 1 to 63 bytes of UTF-8.</summary>
    private static string DnsLabel(string text, string option)
    {
        int bytes = System.Text.Encoding.UTF8.GetByteCount(text);
        if (bytes is 0 or > 63)
            throw new CliError(ExitCodes.Usage, $"{option} must be 1 to 63 bytes long (one DNS label); '{(text.Length > 40 ? text[..40] + "…" : text)}' is {bytes}");
        if (option == "--host" && text.Contains('.')) throw new CliError(ExitCodes.Usage, $"--host '{text}': give the name without dots and without .local (for example MyAmeba)");
        return text;
    }

    /// <summary>mDNS setup failures (no such interface, port 5353 unusable) become one-line I/O errors.</summary>
    private static async Task<int> Mdns(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (MdnsException e)
        {
            throw new CliError(ExitCodes.IoError, e.Message);
        }
    }
}
