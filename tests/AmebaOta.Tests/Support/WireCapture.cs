using System.Net;
using System.Net.Sockets;

namespace AmebaOta.Tests.Support;

/// <summary>Plain-socket peers for checking what an uploader does on the wire.</summary>
public static class WireCapture
{
    public sealed record Captured(byte[] Bytes, bool EndedWithFin);

    /// <summary>Accepts one connection and reads it to the end. <see cref="Captured.EndedWithFin"/> is false when it ended in a reset.</summary>
    public static async Task<Captured> AcceptOneAsync(TcpListener listener)
    {
        using var client = await listener.AcceptSocketAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var bytes = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int n = await client.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(20));
                if (n == 0) return new Captured(bytes.ToArray(), true);
                bytes.Write(buffer, 0, n);
            }
        }
        catch (SocketException)
        {
            return new Captured(bytes.ToArray(), false);
        }
    }

    public enum Ending { Fin, Reset }

    /// <summary>Reads an accepted connection to its end: an orderly close (FIN) or a reset (RST).</summary>
    public static async Task<Ending> DrainAsync(Socket peer)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (await peer.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(30)) > 0) { }
            return Ending.Fin;
        }
        catch (SocketException)
        {
            return Ending.Reset;
        }
    }

    /// <summary>A listener whose accepted sockets have a tiny receive buffer, so a sender fills it quickly.</summary>
    public static Socket SmallBufferListener()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        return listener;
    }

    /// <summary>Connections that fill a never-accepting listener's queue: once one does not complete, the next SYN is dropped too.</summary>
    public static async Task<Connections> FillBacklogAsync(IPEndPoint listener)
    {
        var held = new Connections();
        for (int i = 0; i < 16; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            held.Add(socket);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            try { await socket.ConnectAsync(listener, timeout.Token); }
            catch (OperationCanceledException) { return held; }
        }
        throw new InvalidOperationException("the listener's backlog never filled");
    }

    public sealed class Connections : List<Socket>, IDisposable
    {
        public void Dispose()
        {
            foreach (var s in this) s.Dispose();
        }
    }
}
