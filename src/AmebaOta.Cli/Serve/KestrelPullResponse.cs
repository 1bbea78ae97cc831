using System.Net;
using AmebaOta.Protocol;
using AmebaOta.Protocol.Serving;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace AmebaOta.Cli.Serve;

/// <summary>
/// Sends a <see cref="PullResponse"/> whose head Kestrel's HTTP/1.1 can write (a status with its reason phrase, canonical
/// header names, <c>Content-Length</c>, never chunked), following what the board acknowledges: the body through
/// <see cref="PullSender"/>, the transfer reported to the activity, the connection reset unless the board acknowledged
/// every byte (a connection that carried a whole response, or a head only, closes normally).
/// </summary>
public static class KestrelPullResponse
{
    /// <summary>Sends <paramref name="response"/> (its head only when <paramref name="headOnly"/>) on <paramref name="context"/>.</summary>
    public static async Task<PullTransfer> SendAsync(HttpContext context, PullResponse response, PullActivity activity, bool headOnly, CancellationToken stopping)
    {
        context.Response.StatusCode = response.Status;
        context.Response.ContentLength = response.Body.Length;
        var socket = SocketOf(context);
        string path = context.Request.Path.Value ?? "/";
        var transfer = new PullTransfer(context.Connection.RemoteIpAddress is { } ip ? new IPEndPoint(ip, context.Connection.RemotePort) : null,
            response.Protocol, path, response.Status, response.Body.Length, TcpAckCounter.StartingNow(socket));
        // Kestrel closes the socket as soon as the board closes its end: read its last acknowledgements first. (Registered
        // after Kestrel's own callback, so it runs before it: a token runs its callbacks last registered first.)
        using var closing = context.Features.Get<IConnectionLifetimeFeature>()?.ConnectionClosed.Register(transfer.FreezeAcknowledgements);
        transfer.CutWith(() =>
        {
            if (socket is not null) AbortiveClose.Reset(socket);
            else context.Abort();
        });
        activity.Track(transfer);
        try
        {
            // Kestrel writes the head: fix it now, so the bytes the board acknowledges can be split into head and body.
            if (headOnly && socket is not null) AbortiveClose.Disarm(socket);   // no body follows: an ordinary close after the head
            await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
            transfer.HeadWritten(KestrelResponseHead.Length(context.Response));
            if (headOnly)
            {
                transfer.End(PullTransferOutcome.Completed);
                return transfer;
            }
            var outcome = await PullSender.SendAsync(context.Response.BodyWriter, response, transfer, writeHead: false, context.RequestAborted, stopping).ConfigureAwait(false);
            if (outcome == PullTransferOutcome.Completed && socket is not null) AbortiveClose.Disarm(socket);
        }
        finally
        {
            transfer.End(context.RequestAborted.IsCancellationRequested ? PullTransferOutcome.ClientLeft : PullTransferOutcome.Aborted);   // if nothing ended it
            // Kestrel's own abort would shut the socket down first, a FIN whenever nothing is left unsent: reset it ourselves.
            if (transfer.Outcome != PullTransferOutcome.Completed)
            {
                if (socket is not null) AbortiveClose.Reset(socket);
                else context.Abort();
            }
        }
        return transfer;
    }

    /// <summary>The connection's socket (Kestrel's socket transport exposes it), for reading what the board acknowledged.</summary>
    public static System.Net.Sockets.Socket? SocketOf(HttpContext context) => context.Features.Get<IConnectionSocketFeature>()?.Socket;
}
