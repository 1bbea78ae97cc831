using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AmebaOta.Images;
using AmebaOta.Tests.Device;
using AmebaOta.Tests.Support;
using Xunit.Abstractions;

namespace AmebaOta.Tests.Pull;

/// <summary>
/// <c>publish</c>'s output served by a real nginx (Debian's package, started here with its own configuration and prefix in
/// a temporary directory, on a loopback port) to virtual boards running <c>ota_cloud</c> and <c>http_update_ota</c>.
/// Without nginx the test says so and passes, except in CI (<c>CI=true</c>), where its absence is a failure.
/// </summary>
public class NginxPublishTests(ITestOutputHelper output)
{
    private const string NginxBinary = "/usr/sbin/nginx";

    /// <summary>The configuration docs/serve.md shows, with this test's paths and port.</summary>
    private static string Config(string prefix, string site, int port) => $$"""
        worker_processes 1;
        daemon off;
        pid {{prefix}}/nginx.pid;
        error_log {{prefix}}/error.log;
        events { worker_connections 256; }
        http {
            access_log {{prefix}}/access.log;
            client_body_temp_path {{prefix}}/client_body;
            proxy_temp_path {{prefix}}/proxy;
            fastcgi_temp_path {{prefix}}/fastcgi;
            uwsgi_temp_path {{prefix}}/uwsgi;
            scgi_temp_path {{prefix}}/scgi;
            types { text/plain txt; application/octet-stream bin; }
            server {
                listen 127.0.0.1:{{port}};
                root {{site}};
                # http_update_ota asks for "/" + its resource; the SDK example's resource is empty.
                location = / { try_files /ota_sdk.bin =404; }
            }
        }
        """;

    [Fact]
    public async Task Nginx_serving_publish_output_updates_ota_cloud_and_http_update_ota_boards()
    {
        if (!File.Exists(NginxBinary))
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "nginx is missing in CI: .ci/run installs Debian's nginx package");
            output.WriteLine($"skipped: {NginxBinary} is not installed (apt-get install nginx)");
            return;
        }
        using var dir = new TempDir();
        var v2 = TestImages.Image(2, 64 * 1024);
        File.WriteAllBytes(dir.File("v2.bin"), v2);
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "publish", "v2.bin", "--to", "site")).ExitCode);

        int port = TestImages.UnusedPort();
        Directory.CreateDirectory(dir.File("nginx"));
        File.WriteAllText(dir.File("nginx/nginx.conf"), Config(dir.File("nginx"), dir.File("site"), port));
        using var nginx = Process.Start(new ProcessStartInfo(NginxBinary, ["-p", dir.File("nginx"), "-c", dir.File("nginx/nginx.conf")])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        try
        {
            await WaitForPortAsync(port, nginx, dir);
            string server = $"127.0.0.1:{port}";
            foreach (var (mode, name) in new[] { (SketchMode.Cloud, "cloud.bin"), (SketchMode.SdkHttp, "http.bin") })
            {
                using var boardDir = new TempDir();
                await using (var board = new BoardHarness(boardDir, PullImages.Image(1, mode, server)))
                {
                    await board.Serial.WaitForAsync("This is version 2", timeout: TimeSpan.FromSeconds(30));
                    Assert.Contains(mode == SketchMode.Cloud ? "OTA success" : "[update_ota_checksum] Update OTA success!", board.Serial.Lines);
                    await board.PowerOffAsync();
                }
                var (boot, version) = await PullImages.FlashBootAsync(boardDir, boardDir.File("board.bin"));
                Assert.Equal(0, boot.ExitCode);
                Assert.Equal(2u, version);
                output.WriteLine($"{name}: nginx updated a {mode} board");
            }
            var access = File.ReadAllText(dir.File("nginx/access.log"));
            Assert.Contains("\"GET /check.txt HTTP/1.1\" 200", access);
            Assert.Contains("\"GET /ota.bin HTTP/1.1\" 200", access);
            Assert.Contains("\"GET / HTTP/1.1\" 200", access);
        }
        finally
        {
            // SIGKILL to the master alone would orphan its worker: stop the whole tree.
            if (!nginx.HasExited) nginx.Kill(entireProcessTree: true);
            await nginx.WaitForExitAsync();
        }
    }

    /// <summary>Until nginx accepts connections (it has no readiness signal of its own); fails if it exits.</summary>
    private static async Task WaitForPortAsync(int port, Process nginx, TempDir dir)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            if (nginx.HasExited)
                Assert.Fail($"nginx exited with {nginx.ExitCode}: {await nginx.StandardError.ReadToEndAsync()} {ReadOrEmpty(dir.File("nginx/error.log"))}");
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    private static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
}
