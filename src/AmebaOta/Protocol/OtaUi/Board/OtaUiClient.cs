using System.Net;
using System.Net.Sockets;
using AmebaOta.Boards;
using AmebaOta.Families;
using AmebaOta.Protocol.Lwip;

namespace AmebaOta.Protocol.OtaUi.Board;

/// <summary>How an OTA UI board's run ended.</summary>
public enum OtaUiClientExit
{
    /// <summary>The update succeeded: state REBOOT, <c>ota_platform_reset()</c>.</summary>
    Reboot,
    /// <summary>The SDK crashed the board (see <see cref="BoardCrashException"/>): nothing runs until a reset.</summary>
    Crashed,
}

/// <summary>
/// The OTA UI library on a board (AmebaD <c>OTA_Http</c>, AmebaPro2 <c>OTA</c>; docs/reference section 11.2), from
/// <c>start_OTA_threads(port, server)</c> on:
/// <list type="bullet">
/// <item>the heartbeat thread: connect to the server, send the state exactly as <see cref="OtaUiHeartbeat"/> writes it,
/// wait 500 ms, close without reading, sleep 3 s, forever;</item>
/// <item>the trigger thread: listen on TCP 5000, read once into a cleared 1 KiB buffer, echo it, and when it holds
/// <c>start_ota</c> and the state is IDLE start the update task; then close after 500 ms (AmebaPro2) or sleep 10 s and
/// read again (AmebaD);</item>
/// <item>the update task: state DOWNLOAD_FIRMWARE_IN_PROGRESS, <c>http_update_ota(server, port, "api/uploadfile")</c>,
/// state DOWNLOAD_FIRMWARE_COMPLETED, and on success state REBOOT and a reset. After a failure nothing resets the state:
/// the board stays COMPLETED and ignores triggers until it is reset.</item>
/// </list>
/// </summary>
public sealed class OtaUiClient
{
    private readonly PullBoard _board;
    private readonly OtaUiBoardProfile _profile;
    private readonly string _host;
    private readonly int _port;
    private readonly int _triggerPort;
    private readonly IBootOutcome? _boot;
    private readonly OtaUiTiming _timing;
    private readonly Action<string> _note;
    private readonly TaskCompletionSource<OtaUiClientExit> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state = (int)OtaUiState.Idle;
    private Task _update = Task.CompletedTask;
    private CancellationToken _lifetimeToken;

    /// <summary>
    /// A board that reports to <paramref name="host"/>:<paramref name="port"/> (the sketch's <c>server</c> and
    /// <c>port</c>; the host string is also the requests' <c>Host</c>) and listens for the trigger on
    /// <paramref name="triggerPort"/> (5000 on every real board).
    /// </summary>
    public OtaUiClient(PullBoard board, OtaUiBoardProfile profile, string host, int port, IBootOutcome? boot, OtaUiTiming? timing = null,
        int triggerPort = OtaUiTrigger.Port, Action<string>? note = null)
    {
        _board = board;
        _profile = profile;
        _host = host;
        _port = port;
        _boot = boot;
        _timing = timing ?? OtaUiTiming.Real;
        _triggerPort = triggerPort;
        _note = note ?? (_ => { });
    }

    /// <summary><c>g_otaState</c>.</summary>
    public OtaUiState State => (OtaUiState)Volatile.Read(ref _state);

    /// <summary>Raised on every state change.</summary>
    public event Action<OtaUiState>? StateChanged;

    /// <summary>Raised when the trigger listener opens (its end point) or closes (null, while Wi-Fi is down).</summary>
    public event Action<IPEndPoint?>? ListenerChanged;

    /// <summary>Heartbeats sent whole so far (connected and every byte written).</summary>
    public long HeartbeatsSent => Interlocked.Read(ref _heartbeats);
    private long _heartbeats;

    /// <summary>Starts both threads and runs until the update reboots the board or the SDK crashes it; a reset or power-off cancels it.</summary>
    public async Task<OtaUiClientExit> RunAsync(CancellationToken cancellationToken)
    {
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _lifetimeToken = lifetime.Token;
        var threadsStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var heartbeat = HeartbeatLoopAsync(threadsStarted.Task, lifetime.Token);
        if (_profile.HeartbeatThreadStarted is { } one) _board.Serial.PrintLine(one);
        var listener = ListenerLoopAsync(lifetime.Token);
        if (_profile.ListenerThreadStarted is { } two) _board.Serial.PrintLine(two);
        threadsStarted.SetResult();
        try
        {
            return await _exit.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await lifetime.CancelAsync().ConfigureAwait(false);
            await Quietly(heartbeat).ConfigureAwait(false);
            await Quietly(listener).ConfigureAwait(false);
            await Quietly(_update).ConfigureAwait(false);
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Flash.PowerCutException)
        {
        }
    }

    private void SetState(OtaUiState state)
    {
        Volatile.Write(ref _state, (int)state);
        StateChanged?.Invoke(state);
    }

    /// <summary>Thread 1: one heartbeat, 500 ms, close, 3 s; forever. The first socket print comes before the thread's "created" line, as on a real board.</summary>
    private async Task HeartbeatLoopAsync(Task threadsStarted, CancellationToken cancellationToken)
    {
        bool first = true;
        while (true)
        {
            var state = State;
            _board.Printf(_profile.ClientSocketCreated);
            if (first)
            {
                await threadsStarted.ConfigureAwait(false);
                first = false;
            }
            LwipSocket? socket = null;
            try
            {
                socket = await ConnectAsync(cancellationToken).ConfigureAwait(false);
                if (socket is null)
                {
                    _board.Printf(_profile.ClientConnectFailed);
                    _board.Serial.PrintLine("Connection to server failed");
                }
                else
                {
                    _board.Printf(_profile.ClientConnected);
                    bool whole = true;
                    foreach (var write in OtaUiHeartbeat.Writes(_host, state))
                        whole &= await socket.WriteAsync(write, cancellationToken).ConfigureAwait(false) == write.Length;
                    if (whole) Interlocked.Increment(ref _heartbeats);
                }
                await Task.Delay(_timing.HeartbeatLinger, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                socket?.Dispose();   // wifiClient.stop(): the reply is never read, so a server that answered gets a reset
            }
            await Task.Delay(_timing.HeartbeatSleep, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>wifiClient.connect(server, port)</c>: null when the name does not resolve, the link is down or the server refuses.</summary>
    private async Task<LwipSocket?> ConnectAsync(CancellationToken cancellationToken)
    {
        if (!_board.WifiConnected) return null;
        var address = await PullBoard.ResolveAsync(_host, cancellationToken).ConfigureAwait(false);
        if (address is null) return null;
        var linkLost = await _board.LinkTokenAsync(cancellationToken).ConfigureAwait(false);
        return await LwipSocket.ConnectAsync(_board.Address, new IPEndPoint(address, _port), linkLost, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Thread 2: <c>WiFiServer server(5000); server.begin();</c> then accept, read, echo, trigger, forever.</summary>
    private async Task ListenerLoopAsync(CancellationToken cancellationToken)
    {
        foreach (var line in _profile.ServerBegin) _board.Printf(line);
        while (true)
        {
            var linkLost = await _board.LinkTokenAsync(cancellationToken).ConfigureAwait(false);
            using var listener = new Socket(_board.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            PortReuse.AllowRebind(listener);
            var endPoint = new IPEndPoint(_board.Address, _triggerPort);
            try
            {
                listener.Bind(endPoint);
                listener.Listen(1);
            }
            catch (SocketException e)
            {
                _note($"the trigger listener cannot listen on {endPoint} ({e.SocketErrorCode}); trying again in 1 s");
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                continue;
            }
            ListenerChanged?.Invoke((IPEndPoint)listener.LocalEndPoint!);
            try
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, linkLost);
                while (true)
                {
                    var accepted = await listener.AcceptAsync(either.Token).ConfigureAwait(false);
                    await ServeAsync(accepted, linkLost, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Wi-Fi dropped: nothing reaches the board until it is back.
            }
            finally
            {
                ListenerChanged?.Invoke(null);
            }
        }
    }

    /// <summary><c>while (client.connected())</c>: read up to 1 KiB, echo, maybe trigger; then close (AmebaPro2) or sleep and read again (AmebaD).</summary>
    private async Task ServeAsync(Socket accepted, CancellationToken linkLost, CancellationToken cancellationToken)
    {
        _board.Printf(_profile.Accepted((IPEndPoint)accepted.RemoteEndPoint!));
        using var client = new TriggerConnection(accepted, linkLost);
        var buffer = new byte[OtaUiTrigger.ReadBufferBytes];
        while (true)
        {
            Array.Clear(buffer);
            int n = await client.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            bool connected = n > 0 || n == -1;
            if (n > 0)
            {
                if (!await client.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false)) return;
                if (OtaUiTrigger.Contains(buffer.AsSpan(0, n)))
                {
                    if (_profile.TriggerReceived is { } line) _board.Serial.PrintLine(line);
                    TryStartUpdate();
                }
            }
            if (_profile.ClosesAfterEcho)
            {
                await Task.Delay(_timing.TriggerCloseDelay, cancellationToken).ConfigureAwait(false);
                return;
            }
            await Task.Delay(_timing.TriggerReadPause, cancellationToken).ConfigureAwait(false);
            if (!connected) return;
        }
    }

    /// <summary><c>if (g_otaState == OtaState[0]) ota_http();</c></summary>
    private void TryStartUpdate()
    {
        if (Interlocked.CompareExchange(ref _state, (int)OtaUiState.DownloadFirmwareInProgress, (int)OtaUiState.Idle) != (int)OtaUiState.Idle) return;
        StateChanged?.Invoke(OtaUiState.DownloadFirmwareInProgress);
        _update = Task.Run(UpdateTaskAsync);
    }

    /// <summary><c>http_update_ota_task</c>.</summary>
    private async Task UpdateTaskAsync()
    {
        try
        {
            int ret = await _profile.HttpUpdateAsync(_board, _boot, _host, _port, OtaUiDownload.Resource, _lifetimeToken).ConfigureAwait(false);
            SetState(OtaUiState.DownloadFirmwareCompleted);
            if (ret != 0) return;
            SetState(OtaUiState.Reboot);
            await Task.Delay(_profile.PlatformResetDelay, _lifetimeToken).ConfigureAwait(false);
            _exit.TrySetResult(OtaUiClientExit.Reboot);
        }
        catch (BoardCrashException e)
        {
            _note($"{e.Message}; a real board crashes here: the board is halted until reset");
            _exit.TrySetResult(OtaUiClientExit.Crashed);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            _exit.TrySetException(e);   // a power cut: the board loses power mid-write
        }
    }
}
