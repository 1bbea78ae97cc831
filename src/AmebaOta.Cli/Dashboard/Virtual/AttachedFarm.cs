using System.Net.Sockets;
using System.Text;
using AmebaOta.Device.Farm;

namespace AmebaOta.Cli.Dashboard.Virtual;

/// <summary>
/// <c>dashboard --attach PATH</c>: a running <c>device farm --control PATH</c>. One connection follows every board's serial
/// output (the farm first sends the lines each board still keeps); commands go over a second one, one at a time. When the
/// farm goes away, both are tried again every second until the dashboard stops.
/// </summary>
public sealed class AttachedFarm : IVirtualFarm
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);

    private readonly string _path;
    private readonly Lock _lock = new();
    private readonly List<string> _boards = [];
    private readonly Dictionary<string, SerialBacklog> _serial = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> _farmSequence = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _commandGate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstContact = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _following;
    private (Socket Socket, StreamReader Reader, StreamWriter Writer)? _command;

    private AttachedFarm(string path)
    {
        _path = path;
        _following = FollowLoopAsync(_stop.Token);
    }

    /// <summary>Connects to the farm's socket; throws <see cref="IOException"/> when nothing listens there.</summary>
    public static async Task<AttachedFarm> AttachAsync(string path, CancellationToken cancellationToken)
    {
        path = Path.GetFullPath(path);
        using (var probe = await ConnectAsync(path, cancellationToken)) { }
        var farm = new AttachedFarm(path);
        // The boards are named first on the follow stream: wait for them (briefly) so the page starts with them.
        await Task.WhenAny(farm._firstContact.Task, Task.Delay(TimeSpan.FromSeconds(3), cancellationToken));
        return farm;
    }

    public string Source => $"device farm at {_path}";

    public IReadOnlyList<string> Boards
    {
        get { lock (_lock) return [.. _boards]; }
    }

    public event Action<string>? BoardAdded;

    public SerialBacklog? Serial(string board)
    {
        lock (_lock) return _serial.GetValueOrDefault(board);
    }

    private static async Task<Socket> ConnectAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"cannot attach to the device farm at '{path}': {e.Message} (start it with: ameba-ota device farm ... --control {path})");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task FollowLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var socket = await ConnectAsync(_path, stop);
                await using var stream = new NetworkStream(socket, ownsSocket: false);
                using var reader = new StreamReader(stream, new UTF8Encoding(false));
                await stream.WriteAsync("follow\n"u8.ToArray(), stop);
                while (await reader.ReadLineAsync(stop) is { } line)
                {
                    if (FarmFollowLine.Parse(line) is { } follow) Take(follow);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            try { await Task.Delay(Retry, stop); }
            catch (OperationCanceledException) { return; }
        }
    }

    private void Take(FarmFollowLine line)
    {
        SerialBacklog? backlog;
        bool added = false;
        lock (_lock)
        {
            if (!_serial.TryGetValue(line.Board, out backlog))
            {
                _serial[line.Board] = backlog = new SerialBacklog();
                _boards.Add(line.Board);
                added = true;
            }
            if (line.Kind != FarmFollowKind.Board)
            {
                // After a reconnection the farm sends its backlog again: keep only what is new.
                if (line.Sequence <= _farmSequence.GetValueOrDefault(line.Board)) return;
                _farmSequence[line.Board] = line.Sequence;
            }
        }
        if (added) BoardAdded?.Invoke(line.Board);
        if (line.Kind == FarmFollowKind.Board) _firstContact.TrySetResult();
        else backlog.Add(line.Text, line.Kind == FarmFollowKind.Note);
    }

    public async Task<ReplyJson> ControlAsync(string board, string command, CancellationToken cancellationToken)
    {
        if (Serial(board) is null) return new ReplyJson(false, $"no virtual board named '{board}' in the farm at {_path}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        timeout.CancelAfter(CommandTimeout);
        await _commandGate.WaitAsync(timeout.Token);
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    var (_, reader, writer) = _command ??= await OpenCommandAsync(timeout.Token);
                    await writer.WriteLineAsync($"{board} {command.Trim()}".AsMemory(), timeout.Token);
                    await writer.FlushAsync(timeout.Token);
                    string? reply = await reader.ReadLineAsync(timeout.Token);
                    if (reply is null) throw new IOException("the farm closed the connection");
                    return reply.StartsWith("ok: ", StringComparison.Ordinal) ? new ReplyJson(true, reply[4..])
                        : new ReplyJson(false, reply.StartsWith("error: ", StringComparison.Ordinal) ? reply[7..] : reply);
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
                {
                    CloseCommand();
                    if (attempt >= 2) return new ReplyJson(false, $"the device farm at {_path} does not answer: {e.Message}");
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            CloseCommand();
            return new ReplyJson(false, $"the device farm at {_path} did not answer within {CommandTimeout.TotalSeconds:0} s");
        }
        finally
        {
            _commandGate.Release();
        }
    }

    private async Task<(Socket, StreamReader, StreamWriter)> OpenCommandAsync(CancellationToken cancellationToken)
    {
        var socket = await ConnectAsync(_path, cancellationToken);
        var stream = new NetworkStream(socket, ownsSocket: true);
        return (socket, new StreamReader(stream, new UTF8Encoding(false)), new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" });
    }

    private void CloseCommand()
    {
        if (_command is not { } c) return;
        _command = null;
        c.Reader.Dispose();
        try { c.Writer.Dispose(); } catch (IOException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _following;
        await _commandGate.WaitAsync();
        CloseCommand();
        _commandGate.Dispose();
        _stop.Dispose();
    }
}
