using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace AmebaOta.Tests.Support;

/// <summary>
/// Realtek's own OTA UI server (the Next.js app vendored in tests/realtek-ota-ui/, unchanged) as a child process:
/// <c>scripts/realtek-ota-ui.sh start</c> on 127.0.0.1 and a free port, its upload directory in the test's own directory.
/// It must have been built first (<c>scripts/realtek-ota-ui.sh install</c>, which CI runs): where it is not, a test says
/// so on stderr and checks nothing else (<see cref="StartAsync"/> returns null), unless <c>AMEBAOTA_REQUIRE_REALTEK=1</c>
/// (CI's setting) makes that a failure.
/// </summary>
public sealed class RealtekOtaUiServer : CliProcess
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private RealtekOtaUiServer(Process process, int port) : base(process) => Port = port;

    public int Port { get; }

    /// <summary>The address a board's sketch names for it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    private string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    /// <summary>Starts it and waits until it answers; null when it is not installed here (and not required).</summary>
    public static async Task<RealtekOtaUiServer?> StartAsync(TempDir dir)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Directory.CreateDirectory(dir.File("realtek-root"));
        var psi = new ProcessStartInfo("bash", [RepoFiles.Path("scripts/realtek-ota-ui.sh"), "start", "--port", port.ToString(), "--root", dir.File("realtek-root")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var server = new RealtekOtaUiServer(Process.Start(psi)!, port);
        for (var end = DateTime.UtcNow + TimeSpan.FromSeconds(60); DateTime.UtcNow < end;)
        {
            if (server.Process.HasExited)
            {
                await server.Process.WaitForExitAsync();
                string why = server.Notes.ToString();
                int exit = server.Process.ExitCode;
                await server.DisposeAsync();
                if (exit == 3 && Environment.GetEnvironmentVariable("AMEBAOTA_REQUIRE_REALTEK") != "1")
                {
                    Console.Error.WriteLine($"[not checked: Realtek's OTA UI server is not installed] {why.Trim()}");
                    return null;
                }
                throw new InvalidOperationException($"Realtek's OTA UI server did not start (exit {exit}):\n{why}\n{server.Serial}");
            }
            try
            {
                using var ready = await Http.GetAsync(server.Url("/api/connectedclients"));
                if (ready.IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        await server.DisposeAsync();
        throw new TimeoutException($"Realtek's OTA UI server did not answer within 60 s:\n{server.Notes}\n{server.Serial}");
    }

    /// <summary>What the page's "Step 1" does: the file as the multipart field <c>files</c>; returns the JSON answer.</summary>
    public async Task<string> UploadAsync(byte[] file)
    {
        using var form = BrowserForm(file, "ota.bin");
        using var response = await Http.PostAsync(Url("/api/uploadfile"), form);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>
    /// The field <c>files</c> as a browser frames it: quoted name and file name, no <c>filename*</c>. (.NET's default
    /// framing, unquoted, makes the stock route's <c>formData()</c> throw: "File upload failed".)
    /// </summary>
    public static MultipartFormDataContent BrowserForm(byte[] file, string fileName)
    {
        var part = new ByteArrayContent(file);
        part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        part.Headers.ContentDisposition = new System.Net.Http.Headers.ContentDispositionHeaderValue("form-data") { Name = "\"files\"", FileName = $"\"{fileName}\"" };
        return new MultipartFormDataContent { part };
    }

    /// <summary>The boards its <c>GET /api/connectedclients</c> lists now (heard within 4.5 s): address, state, last heartbeat.</summary>
    public async Task<Dictionary<string, (string State, DateTimeOffset Beat)>> ListAsync()
    {
        using var doc = JsonDocument.Parse(await Http.GetStringAsync(Url("/api/connectedclients")));
        return doc.RootElement.GetProperty("recentEntries").EnumerateArray().ToDictionary(e => e.GetProperty("ip").GetString()!,
            e => (e.GetProperty("OTA_state").GetString() ?? "", DateTimeOffset.FromUnixTimeMilliseconds(e.GetProperty("timestamp").GetInt64())));
    }

    /// <summary>
    /// Polls the list every 200 ms until <paramref name="board"/> is in it with <paramref name="state"/>, from a heartbeat
    /// no older than <paramref name="since"/>; returns every state seen (appended to <paramref name="seen"/>).
    /// </summary>
    public async Task<List<string>> WaitForStateAsync(string board, string state, List<string>? seen = null, DateTimeOffset? since = null,
        TimeSpan? timeout = null)
    {
        seen ??= [];
        var end = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < end)
        {
            if ((await ListAsync()).TryGetValue(board, out var now))
            {
                if (seen.Count == 0 || seen[^1] != now.State) seen.Add(now.State);
                if (now.State == state && now.Beat >= (since ?? DateTimeOffset.MinValue)) return seen;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{board} never listed as {state} by Realtek's server; seen: {string.Join(" → ", seen)}");
    }
}
