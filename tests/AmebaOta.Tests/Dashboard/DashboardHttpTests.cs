using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Dashboard;

/// <summary>
/// The dashboard's HTTP API without a browser: who may change what, and bad requests that must change nothing. Each
/// dashboard runs in a private namespace of its own (its mDNS browsing stays off the suite's loopback), reached from here
/// through sockets made in that namespace.
/// </summary>
public sealed class DashboardHttpTests : IDisposable
{
    private readonly List<IDisposable> _networks = [];

    public void Dispose()
    {
        foreach (var n in _networks) n.Dispose();
    }

    private PrivateNetwork? _network;

    private async Task<(TempDir Dir, DashboardProcess Dashboard, HttpClient Http)> StartAsync(params string[] extra)
    {
        var dir = new TempDir();
        _network = await PrivateNetwork.CreateAsync();
        _networks.Add(_network);
        var dashboard = await DashboardProcess.StartAsync(_network, dir.Path, ["--port", "8080", "--interface", "lo", "--db", "none", .. extra]);
        return (dir, dashboard, _network.NewHttpClient(new Uri(dashboard.Url)));
    }

    private static HttpRequestMessage Post(string path, HttpContent content, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task Every_change_needs_the_token_and_reading_does_not()
    {
        var (dir, dashboard, http) = await StartAsync();
        using var _ = dir;
        await using var __ = dashboard;
        var image = TestImages.Image(2);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/boards")).StatusCode);
        foreach (string? token in new[] { null, "", new string('0', 32), dashboard.Token[..^1] })
        {
            var refused = await http.SendAsync(Post("/api/images?name=v2.bin", new ByteArrayContent(image), token));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("token", (await JsonAsync(refused)).GetProperty("message").GetString());
        }
        // Nothing was kept: a run naming that image does not find it.
        string sha = Convert.ToHexStringLower(SHA256.HashData(image));
        var run = await http.SendAsync(Post("/api/runs", new StringContent($"{{\"image\":\"{sha}\",\"boards\":[\"x\"]}}"), dashboard.Token));
        Assert.Equal(HttpStatusCode.NotFound, run.StatusCode);

        var taken = await http.SendAsync(Post("/api/images?name=v2.bin", new ByteArrayContent(image), dashboard.Token));
        Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
        var json = await JsonAsync(taken);
        Assert.Equal(sha, json.GetProperty("sha256").GetString());
        Assert.Equal(2u, json.GetProperty("version").GetUInt32());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("refusal").ValueKind);
    }

    /// <summary><c>--users FILE</c>: each person's own token; what they start is recorded as theirs (the printed token stays the OS user's).</summary>
    [Fact]
    public async Task With_users_each_change_is_recorded_as_the_user_whose_token_made_it()
    {
        using var dir = new TempDir();
        string alice = new('a', 32), bob = new('b', 32);
        File.WriteAllText(dir.File("users.txt"), $"# who may change things\nalice {alice}\n\nbob   {bob}\n");
        using var network = await PrivateNetwork.CreateAsync();
        await using var dashboard = await DashboardProcess.StartAsync(network, dir.Path, "--port", "8080", "--interface", "lo", "--db", dir.File("h.db"),
            "--farm", "1", "--flash-timing", "instant", "--users", dir.File("users.txt"));
        await dashboard.Serial.WaitForAsync(l => l.StartsWith("users:     alice, bob: each opens http://"), "the users' line");
        using var http = network.NewHttpClient(new Uri(dashboard.Url));
        for (int i = 0; i < 300 && !(await JsonAsync(await http.GetAsync("/api/boards"))).GetProperty("boards").EnumerateArray().Any(b => b.GetProperty("online").GetBoolean()); i++)
            await Task.Delay(100);

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(Post("/api/images?name=v2.bin", new ByteArrayContent(TestImages.Image(2)), new string('c', 32)))).StatusCode);
        var image = await JsonAsync(await http.SendAsync(Post("/api/images?name=v2.bin", new ByteArrayContent(TestImages.Image(2)), bob)));
        string sha = image.GetProperty("sha256").GetString()!;
        using var store = AmebaOta.Fleet.History.HistoryStore.Open(dir.File("h.db"));
        foreach (var (token, who) in new[] { (alice, "alice"), (dashboard.Token, AmebaOta.Fleet.History.Actor.OsUser) })
        {
            int before = store.Uploads().Count;
            HttpResponseMessage run;
            for (int i = 0; ; i++)   // the run before may still be finishing (one run at a time)
            {
                run = await http.SendAsync(Post("/api/runs", new StringContent($"{{\"image\":\"{sha}\",\"boards\":[\"MyAmeba-001\"],\"mode\":\"update\"}}"), token));
                if (run.IsSuccessStatusCode || i == 100 || !(await run.Content.ReadAsStringAsync()).Contains("is still going")) break;
                await Task.Delay(100);
            }
            Assert.True(run.IsSuccessStatusCode, await run.Content.ReadAsStringAsync());
            for (int i = 0; i < 300 && store.Uploads().Count(u => u.Outcome is not null) == before; i++) await Task.Delay(100);
            var upload = store.Uploads()[^1];
            Assert.Equal(("dashboard", who), (upload.Command, upload.Actor));
        }
    }

    [Fact]
    public async Task Only_loopback_host_names_are_answered_and_other_methods_are_refused()
    {
        var (dir, dashboard, http) = await StartAsync();
        using var _ = dir;
        await using var __ = dashboard;
        var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/boards");
        rebound.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(rebound)).StatusCode);
        var local = new HttpRequestMessage(HttpMethod.Get, "/api/boards");
        local.Headers.Host = $"localhost:{new Uri(dashboard.Url).Port}";
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(local)).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.DeleteAsync("/api/runs/1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/nothing-here.js")).StatusCode);
    }

    [Fact]
    public async Task The_page_ships_its_own_script_and_styles_with_a_strict_content_security_policy()
    {
        var (dir, dashboard, http) = await StartAsync();
        using var _ = dir;
        await using var __ = dashboard;
        var page = await http.GetAsync("/");
        string html = await page.Content.ReadAsStringAsync();
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.DoesNotContain("http://", html.Replace(dashboard.Url, ""));
        Assert.DoesNotContain("https://", html);
        foreach (string asset in new[] { "/dashboard.js", "/dashboard.css", "/favicon.svg" })
        {
            var response = await http.GetAsync(asset);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain("https://", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task An_upload_cut_off_midway_or_too_large_is_turned_down_and_nothing_is_kept()
    {
        var (dir, dashboard, http) = await StartAsync();
        using var _ = dir;
        await using var __ = dashboard;
        var image = TestImages.Image(2, size: 64 * 1024);
        var uri = new Uri(dashboard.Url);

        using (var client = _network!.NewTcpSocket())
        {
            await client.ConnectAsync(IPAddress.Loopback, uri.Port);
            await using var stream = new NetworkStream(client);
            string head = $"POST /api/images?name=cut.bin HTTP/1.1\r\nHost: 127.0.0.1:{uri.Port}\r\nAuthorization: Bearer {dashboard.Token}\r\n" +
                          $"Content-Type: application/octet-stream\r\nContent-Length: {image.Length}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(image.AsMemory(0, image.Length / 2));
            await stream.FlushAsync();
            client.Shutdown(SocketShutdown.Send);   // the browser went away mid-upload
            var buffer = new byte[4096];
            while (await stream.ReadAsync(buffer) > 0) { }
        }
        string sha = Convert.ToHexStringLower(SHA256.HashData(image));
        var run = await http.SendAsync(Post("/api/runs", new StringContent($"{{\"image\":\"{sha}\",\"boards\":[\"x\"]}}"), dashboard.Token));
        Assert.Equal(HttpStatusCode.NotFound, run.StatusCode);
        Assert.Contains("not on the dashboard", (await JsonAsync(run)).GetProperty("message").GetString());

        var huge = await http.SendAsync(Post("/api/images?name=huge.bin", new ByteArrayContent(new byte[AmebaOta.Cli.Dashboard.ImageShelf.MaxImageBytes + 1]), dashboard.Token));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Equal($"huge.bin is too large: an image is 1 to {AmebaOta.Cli.Dashboard.ImageShelf.MaxImageBytes} bytes", (await JsonAsync(huge)).GetProperty("message").GetString());

        var empty = await http.SendAsync(Post("/api/images?name=empty.bin", new ByteArrayContent([]), dashboard.Token));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        Assert.Equal("'empty.bin': the file is empty", (await JsonAsync(empty)).GetProperty("message").GetString());

        var garbage = await http.SendAsync(Post("/api/runs", new StringContent("{not json"), dashboard.Token));
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);

        // Still serving, and a whole upload is taken.
        var whole = await http.SendAsync(Post("/api/images?name=whole.bin", new ByteArrayContent(image), dashboard.Token));
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
    }

    [Fact]
    public async Task A_run_for_boards_that_do_not_answer_is_refused_with_the_reason()
    {
        var (dir, dashboard, http) = await StartAsync();
        using var _ = dir;
        await using var __ = dashboard;
        var image = TestImages.Image(2);
        string sha = Convert.ToHexStringLower(SHA256.HashData(image));
        await http.SendAsync(Post("/api/images?name=v2.bin", new ByteArrayContent(image), dashboard.Token));
        var run = await http.SendAsync(Post("/api/runs", new StringContent($"{{\"image\":\"{sha}\",\"boards\":[\"Nobody-Here\"]}}"), dashboard.Token));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, run.StatusCode);
        Assert.Equal("1 of the boards chosen do not answer by mDNS right now (Nobody-Here): nothing was sent", (await JsonAsync(run)).GetProperty("message").GetString());
        run = await http.SendAsync(Post("/api/runs", new StringContent($"{{\"image\":\"{sha}\",\"pattern\":\"Nobody-*\"}}"), dashboard.Token));
        Assert.Equal("no board that answers by mDNS matches 'Nobody-*'", (await JsonAsync(run)).GetProperty("message").GetString());
        run = await http.SendAsync(Post("/api/runs", new StringContent($"{{\"image\":\"{sha}\",\"pattern\":\"x\",\"mode\":\"sideways\"}}"), dashboard.Token));
        Assert.Equal(HttpStatusCode.BadRequest, run.StatusCode);
    }

    [Fact]
    public async Task The_event_stream_starts_with_a_snapshot()
    {
        var (dir, dashboard, http) = await StartAsync();
        using var _ = dir;
        await using var __ = dashboard;
        using var response = await http.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("event: snapshot", await reader.ReadLineAsync());
        string data = (await reader.ReadLineAsync())!;
        var snapshot = JsonDocument.Parse(data["data: ".Length..]).RootElement;
        Assert.True(snapshot.GetProperty("server").GetProperty("loopback").GetBoolean());
        Assert.False(snapshot.GetProperty("history").GetProperty("persistent").GetBoolean());
    }

    [Fact]
    public async Task Listening_beyond_loopback_warns_and_bad_options_are_one_line()
    {
        var (dir, dashboard, _) = await StartAsync("--ip", "0.0.0.0");
        using var __ = dir;
        await using (dashboard)
        {
            await dashboard.Notes.WaitForAsync(l => l.StartsWith("warning: listening on 0.0.0.0, not loopback"), "the warning");
        }
        File.WriteAllText(dir.File("short.txt"), "alice abc\n");
        foreach (var (args, code, message) in new (string[], int, string)[]
        {
            (["--users", dir.File("missing.txt")], 1, "--users: cannot read"),
            (["--users", dir.File("short.txt")], 1, "line 1: alice's token is shorter than 16 characters"),
            (["--port", "70000"], 1, "--port takes 0 to 65535, not 70000"),
            (["--farm", "0"], 1, "--farm takes 1 to 4000, not 0"),
            (["--farm", "2", "--attach", "x.sock"], 1, "give either --farm or --attach, not both"),
            (["--ip", "127.1"], 1, "--ip '127.1' is not a dotted-quad IPv4 address"),
            (["--attach", dir.File("nothing.sock")], 9, "cannot attach to the device farm at"),
            (["--interface", "nosuch0"], 9, "nosuch0"),
        })
        {
            var result = await Support.Cli.RunAsync(dir.Path, ["dashboard", .. args.Contains("--port") ? args : ["--port", "0", .. args], "--db", "none"]);
            Assert.True(result.ExitCode == code, result.ToString());
            var lines = result.Stderr.Trim().Split('\n');
            Assert.Single(lines);
            Assert.StartsWith("error: ", lines[0]);
            Assert.Contains(message, lines[0]);
        }
    }

    [Fact]
    public async Task With_farm_N_the_dashboard_runs_virtual_boards_of_its_own_and_controls_them()
    {
        using var dir = new TempDir();
        using var network = await PrivateNetwork.CreateAsync();
        await using var dashboard = await DashboardProcess.StartAsync(network, dir.Path, "--port", "8080", "--interface", "lo", "--db", "none",
            "--farm", "2", "--flash-timing", "instant");
        string virtualLine = await dashboard.Serial.WaitForAsync(l => l.StartsWith("virtual:"), "the virtual boards' line");
        Assert.StartsWith("virtual:   2 boards run by the dashboard (127.0.0.2 … 127.0.0.3", virtualLine);
        // The test process is outside the namespace: ask from inside it.
        const string Client = """
            import json, sys, time, urllib.request as u
            base, token = sys.argv[1], sys.argv[2]
            for _ in range(200):
                boards = json.load(u.urlopen(base + "api/boards"))["boards"]
                if sum(1 for b in boards if b["online"] and b["virtual"]) == 2: break
                time.sleep(0.1)
            print("online", sorted(b["name"] for b in boards if b["online"] and b["virtual"]))
            request = u.Request(base + "api/virtual/MyAmeba-002/control", data=json.dumps({"command": "status"}).encode(),
                                headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
            print("status", json.load(u.urlopen(request))["message"])
            stream = u.urlopen(base + "api/virtual/MyAmeba-002/serial")
            for raw in stream:
                line = raw.decode().rstrip("\n")
                if line.startswith("data: "):
                    print("serial", " | ".join(l["text"] for l in json.loads(line[6:])))
                    break
            """;
        string output = await network.RunAsync("python3", "-c", Client, dashboard.Url, dashboard.Token);
        Assert.Contains("online ['MyAmeba-001', 'MyAmeba-002']", output);
        Assert.Contains("status boots 1; booted 0xb000 version 1 (basic)", output);
        Assert.Contains("advertised MyAmeba-002", output);
        Assert.Contains("This is version 1", output);
        Assert.Equal(0, await dashboard.StopAsync());
        // The farm's temporary flash files went with it.
        string farmDir = virtualLine[..^1].Split("flash files in ")[1];
        Assert.False(Directory.Exists(farmDir), farmDir);
    }

    [Fact]
    public async Task Boards_show_their_family_and_a_run_of_another_family_s_image_is_refused_before_anything_is_sent()
    {
        using var dir = new TempDir();
        using var network = await PrivateNetwork.CreateAsync();
        await using var dashboard = await DashboardProcess.StartAsync(network, dir.Path, "--port", "8080", "--interface", "lo", "--db", "none",
            "--farm", "2", "--flash-timing", "instant");
        File.WriteAllBytes(dir.File("OTA_All.bin"), AmebaDImages.OtaAll(2, 16 * 1024));
        const string Client = """
            import json, sys, time, urllib.request as u, urllib.error
            base, token, path = sys.argv[1], sys.argv[2], sys.argv[3]
            for _ in range(200):
                boards = json.load(u.urlopen(base + "api/boards"))["boards"]
                if sum(1 for b in boards if b["online"] and b["virtual"]) == 2: break
                time.sleep(0.1)
            print("families", sorted(b["family"] for b in boards if b["online"]))
            auth = {"Authorization": "Bearer " + token}
            image = json.load(u.urlopen(u.Request(base + "api/images?name=OTA_All.bin", data=open(path, "rb").read(), headers=auth)))
            print("image", image["family"], image["refusal"])
            run = u.Request(base + "api/runs", data=json.dumps({"image": image["id"], "pattern": "MyAmeba-*"}).encode(),
                            headers={**auth, "Content-Type": "application/json"})
            try:
                u.urlopen(run)
                print("run accepted")
            except urllib.error.HTTPError as e:
                print("run", e.code, json.load(e)["message"])
            """;
        string output = await network.RunAsync("python3", "-c", Client, dashboard.Url, dashboard.Token, dir.File("OTA_All.bin"));
        Assert.Contains("families ['ameba1', 'ameba1']", output);
        Assert.Contains("image amebad None", output);
        Assert.Contains("run 422 none of the boards chosen is an AmebaD (RTL8721D: BW16, AMB21-AMB26) board", output);
        Assert.Contains("nothing was sent", output);
        Assert.DoesNotContain(dashboard.Serial.Lines, l => l.Contains("Client connected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_signed_image_gets_uploads_own_warning_and_is_sent_with_its_signature_cleared()
    {
        var (dir, dashboard, http) = await StartAsync();
        using var _ = dir;
        await using var __ = dashboard;
        string signed = dir.File("ram_2.p.bin");
        File.WriteAllBytes(signed, AmebaOta.Families.Ameba1.Images.ImageBuilder.Build(new AmebaOta.Families.Ameba1.Images.ImageBuildOptions(new AmebaOta.Images.SketchDescriptor(4), Signed: true)));
        var cli = await Support.Cli.RunAsync(dir.Path, "upload", signed, "--ip", "127.0.0.1", "--port", TestImages.UnusedPort().ToString());
        var cliWarnings = cli.Stderr.Split('\n').Where(l => l.StartsWith("warning: ")).Select(l => l["warning: ".Length..]).ToList();
        Assert.Contains(cliWarnings, w => w.Contains("signature words cleared"));

        var taken = await http.SendAsync(Post("/api/images?name=ram_2.p.bin", new ByteArrayContent(File.ReadAllBytes(signed)), dashboard.Token));
        var json = await JsonAsync(taken);
        var warnings = json.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()).ToList();
        Assert.Equal(cliWarnings.Where(w => !w.Contains("timeout")), warnings);
        Assert.Contains(json.GetProperty("info").EnumerateArray().Select(l => l.GetString()), l => l!.StartsWith("signature:     new"));
    }
}
