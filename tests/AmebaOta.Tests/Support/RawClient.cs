using System.Net;
using System.Net.Sockets;
using AmebaOta.Protocol;

namespace AmebaOta.Tests.Support;

/// <summary>A hand-made OTA client for failure paths: sends exactly the bytes a test chooses.</summary>
public sealed class RawClient : IDisposable
{
    private RawClient(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    public static async Task<RawClient> ConnectAsync(IPEndPoint board)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(board, timeout.Token);
        return new RawClient(socket);
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty) bytes = bytes[await Socket.SendAsync(bytes, SocketFlags.None)..];
    }

    public Task SendHeaderAsync(uint checksum, uint length) => SendAsync(new OtaHeader(checksum, 0, length).ToArray());

    /// <summary>Orderly close: FIN.</summary>
    public void Close()
    {
        try { Socket.Shutdown(SocketShutdown.Send); } catch (SocketException) { }
        Socket.Close();
    }

    /// <summary>Abortive close: RST (SO_LINGER 0), what lwIP reports to the board as a read error.</summary>
    public void Reset()
    {
        Socket.LingerState = new LingerOption(true, 0);
        Socket.Close();
    }

    public void Dispose() => Socket.Dispose();
}
