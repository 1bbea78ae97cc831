using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace AmebaOta.Tests.Support;

/// <summary>
/// A network namespace of the test's own, nested in the one the suite runs in: only <c>lo</c> (with multicast), and TCP
/// buffers as small as a test asks for (<c>net.ipv4.tcp_wmem</c> / <c>tcp_rmem</c> are per namespace). The host's kernel
/// buffers then hide less of what a board sees: a sender feels back-pressure as it would over Wi-Fi to a board. Processes
/// join it through <c>nsenter</c>, which execs the command (same PID), so signals sent to them arrive as usual.
/// </summary>
public sealed class PrivateNetwork : IDisposable
{
    private readonly Process _holder;

    private PrivateNetwork(Process holder) => _holder = holder;

    public string NamespacePath => $"/proc/{_holder.Id}/ns/net";

    /// <summary>Creates the namespace with <c>tcp_wmem</c> and <c>tcp_rmem</c> both "4096 <paramref name="tcpBuffer"/> <paramref name="tcpBuffer"/>".</summary>
    public static async Task<PrivateNetwork> CreateAsync(int tcpBuffer = 16 * 1024)
    {
        var holder = Process.Start(new ProcessStartInfo("unshare", ["--net", "--", "sleep", "3600"]) { UseShellExecute = false })!;
        var network = new PrivateNetwork(holder);
        try
        {
            string ours = ReadLink("/proc/self/ns/net");
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (ReadLink(network.NamespacePath) == ours)
            {
                if (holder.HasExited) throw new InvalidOperationException($"unshare --net failed (exit {holder.ExitCode})");
                await Task.Delay(5, deadline.Token);   // unshare execs sleep once the namespace exists: nothing to await but the link
            }
            string buffers = $"4096 {tcpBuffer} {tcpBuffer}";
            await network.RunAsync("sh", "-c",
                "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && " +
                $"echo '{buffers}' > /proc/sys/net/ipv4/tcp_wmem && echo '{buffers}' > /proc/sys/net/ipv4/tcp_rmem");
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>The same start info, run inside this namespace.</summary>
    public ProcessStartInfo Wrap(ProcessStartInfo psi)
    {
        var wrapped = new ProcessStartInfo("nsenter")
        {
            WorkingDirectory = psi.WorkingDirectory,
            RedirectStandardOutput = psi.RedirectStandardOutput,
            RedirectStandardError = psi.RedirectStandardError,
            RedirectStandardInput = psi.RedirectStandardInput,
            UseShellExecute = false,
            StandardOutputEncoding = psi.StandardOutputEncoding,
            StandardErrorEncoding = psi.StandardErrorEncoding,
        };
        wrapped.ArgumentList.Add($"--net={NamespacePath}");
        wrapped.ArgumentList.Add("--");
        wrapped.ArgumentList.Add(psi.FileName);
        foreach (var a in psi.ArgumentList) wrapped.ArgumentList.Add(a);
        foreach (var (k, v) in psi.Environment) wrapped.Environment[k] = v;
        return wrapped;
    }

    /// <summary>Runs a command inside the namespace to its end; throws if it fails.</summary>
    public async Task<string> RunAsync(string command, params string[] args)
    {
        var psi = new ProcessStartInfo(command, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(Wrap(psi))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        if (process.ExitCode != 0) throw new InvalidOperationException($"{command} {string.Join(' ', args)} failed in the test namespace: {await error}");
        return await output;
    }

    /// <summary>Runs the CLI inside the namespace to its end.</summary>
    public async Task<CliResult> CliAsync(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        using var process = Process.Start(Wrap(Cli.StartInfo(workingDirectory, args)))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var cpu = TimeSpan.Zero;
        var exited = process.WaitForExitAsync();
        using var deadline = new CancellationTokenSource(timeout);
        // The CPU a process used cannot be read once it has exited and been reaped: sample it while it runs.
        while (!exited.IsCompleted)
        {
            if (deadline.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"ameba-ota {string.Join(' ', args)} did not finish in {timeout.TotalSeconds:0} s\n{await stdout}\n{await stderr}");
            }
            cpu = CpuOf(process.Id) ?? cpu;
            await Task.WhenAny(exited, Task.Delay(50));
        }
        await exited;
        return new CliResult(process.ExitCode, await stdout, await stderr) { Cpu = cpu };
    }

    /// <summary>User + system CPU of a running process from /proc (null once it is gone).</summary>
    private static TimeSpan? CpuOf(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long ticks = long.Parse(fields[11]) + long.Parse(fields[12]);   // utime, stime (fields 14 and 15 of stat)
            return TimeSpan.FromSeconds(ticks / 100.0);
        }
        catch (IOException) { return null; }
        catch (FormatException) { return null; }
    }

    private static string ReadLink(string path)
    {
        try { return new FileInfo(path).LinkTarget ?? ""; }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);

    private const int CloneNewNet = 0x40000000;

    /// <summary>
    /// A TCP socket inside this namespace, for the test process outside it: made on a thread of its own that joins the
    /// namespace first (a socket keeps the namespace it was made in; the thread ends right after).
    /// </summary>
    public Socket NewTcpSocket()
    {
        Socket? socket = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var ns = File.OpenHandle(NamespacePath);
                if (setns((int)ns.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new IOException($"setns into {NamespacePath} failed (errno {Marshal.GetLastPInvokeError()})");
                socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        return error is null ? socket! : throw error;
    }

    /// <summary>An HTTP client whose connections are made inside this namespace (see <see cref="NewTcpSocket"/>).</summary>
    public HttpClient NewHttpClient(Uri baseAddress) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = NewTcpSocket();
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose()
    {
        try { if (!_holder.HasExited) _holder.Kill(); } catch (InvalidOperationException) { }
        _holder.Dispose();
    }
}
