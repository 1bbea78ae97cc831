using System.Diagnostics;
using System.Text;

namespace AmebaOta.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL cluster of the test's own (Debian's server, no mock): <c>initdb</c> into a fresh temporary directory,
/// the server listening on a unix socket in that directory only (no TCP port: concurrent test runs never clash, and a socket
/// reaches every network namespace, since namespaces share the file system). As root the server runs as the package's
/// <c>postgres</c> user (it refuses to run as root). Trust authentication: who may do what is the roles' privileges.
/// Disposing stops it and removes the directory.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string Admin = "amebaota_admin";
    private static int _databases;
    private Process? _server;

    private PostgresServer(string directory) => Directory_ = directory;

    private string Directory_ { get; }

    /// <summary>The socket directory (the server's "host").</summary>
    public string SocketDirectory => Directory_;

    private string Data => Path.Combine(Directory_, "data");

    /// <summary>The server's stderr (its log).</summary>
    public LineLog Log { get; } = new();

    /// <summary>Where Debian puts the server's programs (the newest installed version), or null when none is installed.</summary>
    public static string? BinDirectory { get; } = Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
            .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out int v) ? v : 0).FirstOrDefault()
        : null;

    private static bool AsPostgresUser => Environment.UserName == "root";

    /// <summary>Creates and starts a cluster.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        if (BinDirectory is null) throw new InvalidOperationException("PostgreSQL is not installed (Debian: apt-get install postgresql; .ci/run installs it)");
        var dir = Path.Combine("/tmp", $"amebaota-pg-{Guid.NewGuid().ToString("n")[..10]}");
        Directory.CreateDirectory(dir);
        var server = new PostgresServer(dir);
        try
        {
            if (AsPostgresUser) await RunAsync("chown", "postgres:postgres", dir);
            await RunAsync(AsPostgres(Path.Combine(BinDirectory, "initdb"), "-D", server.Data, "-U", Admin, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"));
            await server.StartServerAsync();
            await server.SqlAsync("postgres", "CREATE DATABASE template_fleet");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new, empty database of this cluster; returns its URL (as the admin, who owns it).</summary>
    public async Task<string> NewDatabaseAsync()
    {
        string name = $"fleet_{Interlocked.Increment(ref _databases)}";
        await SqlAsync("postgres", $"CREATE DATABASE {name}");
        return Url(name);
    }

    /// <summary>A <c>postgres://</c> URL to <paramref name="database"/> as <paramref name="user"/> over the unix socket.</summary>
    public string Url(string database, string user = Admin) => $"postgres://{user}@{Uri.EscapeDataString(Directory_)}/{database}";

    /// <summary>Runs SQL with psql as the admin; returns its output (tuples only, unaligned).</summary>
    public async Task<string> SqlAsync(string database, string sql)
    {
        var psi = new ProcessStartInfo(Path.Combine(BinDirectory!, "psql"), ["-h", Directory_, "-U", Admin, "-d", database, "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql])
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (p.ExitCode != 0) throw new InvalidOperationException($"psql: {sql}: {await error}");
        return (await output).Trim();
    }

    /// <summary>Stops the server (fast shutdown: connections are cut) and starts it again on the same socket.</summary>
    public async Task RestartAsync(TimeSpan? down = null)
    {
        await StopServerAsync();
        if (down is { } d) await Task.Delay(d);
        await StartServerAsync();
    }

    /// <summary>Stops the server (it stays down until <see cref="StartServerAsync"/>).</summary>
    public async Task StopServerAsync()
    {
        if (_server is not { HasExited: false } server) return;
        using (var kill = Process.Start("kill", ["-INT", server.Id.ToString()])) await kill.WaitForExitAsync();   // fast shutdown
        await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Starts the server and waits until it accepts connections.</summary>
    public async Task StartServerAsync()
    {
        const string Ready = "database system is ready to accept connections";
        int ready = Log.Lines.Count(l => l.Contains(Ready));
        var psi = AsPostgres(Path.Combine(BinDirectory!, "postgres"), "-D", Data, "-k", Directory_, "-c", "listen_addresses=", "-c", "fsync=off",
            "-c", "max_connections=300", "-c", "shared_buffers=32MB");
        psi.RedirectStandardError = true;
        psi.RedirectStandardOutput = true;
        _server = Process.Start(psi)!;
        _server.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Log.Add(line); };
        _server.OutputDataReceived += (_, e) => { if (e.Data is { } line) Log.Add(line); };
        _server.BeginErrorReadLine();
        _server.BeginOutputReadLine();
        await Log.WaitForAsync(l => l.Contains(Ready), "PostgreSQL's ready line", ready + 1, TimeSpan.FromSeconds(60));
    }

    private static ProcessStartInfo AsPostgres(string program, params string[] args)
    {
        var psi = AsPostgresUser
            ? new ProcessStartInfo("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", program, .. args])
            : new ProcessStartInfo(program, args);
        psi.UseShellExecute = false;
        psi.Environment["LC_ALL"] = "C.UTF-8";
        return psi;
    }

    private static async Task RunAsync(string program, params string[] args) => await RunAsync(new ProcessStartInfo(program, args) { UseShellExecute = false });

    private static async Task RunAsync(ProcessStartInfo psi)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var p = Process.Start(psi)!;
        var output = new StringBuilder();
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        if (p.ExitCode != 0) throw new InvalidOperationException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} failed: {await o}{await e}");
    }

    public async ValueTask DisposeAsync()
    {
        try { await StopServerAsync(); }
        catch (Exception) { try { _server?.Kill(true); } catch (InvalidOperationException) { } }
        _server?.Dispose();
        try { Directory.Delete(Directory_, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
