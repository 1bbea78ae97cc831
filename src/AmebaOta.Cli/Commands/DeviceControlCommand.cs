using System.CommandLine;
using System.Net.Sockets;
using System.Text;
using AmebaOta.Device.Control;

namespace AmebaOta.Cli.Commands;

/// <summary>
/// <c>ameba-ota device control PATH [COMMAND...]</c>: the client side of <c>device run --control PATH</c>, so scripts need
/// no socat. The words after PATH are one command; without any, commands are read from standard input, one per line.
/// Each reply goes to stdout (<c>ok: …</c>); a refused command's reply goes to stderr (<c>error: …</c>) and the exit code is 1.
/// </summary>
public static class DeviceControlCommand
{
    public static Command Build()
    {
        var path = new Argument<string>("path") { Description = "The control socket a running board listens on (device run --control PATH)" };
        var words = new Argument<string[]>("command") { Description = $"One command ({BoardControl.Commands}); none: read commands from stdin, one per line", Arity = ArgumentArity.ZeroOrMore };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for the board to answer each command", DefaultValueFactory = _ => 10 };
        var command = new Command("control",
            "Send commands to a running virtual board through its control socket and print its replies (ok: … on stdout, error: … on stderr).\n" +
            "Exit codes: 0 every command done, 1 the board refused one, 4 no board listens on PATH, 5 the board did not answer.\n" +
            "Example: ameba-ota device control /tmp/board.sock pin 18 high\n" +
            "Example: printf 'pin 18 high\\nreset\\n' | ameba-ota device control /tmp/board.sock")
        { path, words, timeout };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            string socketPath = parse.GetValue(path)!;
            double seconds = OptionChecks.Seconds(parse.GetValue(timeout), 3600, "--timeout");
            var given = parse.GetValue(words) ?? [];
            IEnumerable<string> commands = given.Length > 0 ? [string.Join(' ', given)] : ReadLines(Console.In);

            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path.GetFullPath(socketPath)), cancellationToken);
            }
            catch (SocketException)
            {
                throw new CliError(ExitCodes.CannotConnect, $"no board listens on '{socketPath}' (start one with: ameba-ota device run --flash FILE --control {socketPath})");
            }
            catch (ArgumentException)
            {
                throw new CliError(ExitCodes.Usage, $"'{socketPath}' is too long for a Unix socket path (at most about 100 bytes)");
            }
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            using var reader = new StreamReader(stream, new UTF8Encoding(false));
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n", AutoFlush = true };
            bool allOk = true;
            foreach (var line in commands)
            {
                if (IsSilent(line)) continue;   // the board answers nothing to blank lines and comments
                await writer.WriteLineAsync(line);
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                limit.CancelAfter(TimeSpan.FromSeconds(seconds));
                string? reply;
                try
                {
                    reply = await reader.ReadLineAsync(limit.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new CliError(ExitCodes.TransferFailed, $"the board did not answer '{line}' within {seconds:0.###} s");
                }
                catch (IOException)
                {
                    reply = null;
                }
                if (reply is null)
                    throw new CliError(ExitCodes.TransferFailed, $"the board closed the control socket before answering '{line}' (it stopped?)");
                if (reply.StartsWith("error: ", StringComparison.Ordinal))
                {
                    allOk = false;
                    Output.Diagnostics.Error(reply["error: ".Length..]);
                }
                else
                {
                    Console.WriteLine(reply);
                }
            }
            return allOk ? ExitCodes.Ok : ExitCodes.Usage;
        }));
        return command;
    }

    private static bool IsSilent(string line)
    {
        string t = line.Trim();
        return t.Length == 0 || t.StartsWith('#');
    }

    private static IEnumerable<string> ReadLines(TextReader input)
    {
        while (input.ReadLine() is { } line) yield return line;
    }
}
