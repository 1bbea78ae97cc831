using System.Text.Json;

namespace AmebaOta.Protocol.OtaUi.Server;

/// <summary>
/// The body of a heartbeat as the server reads it: a JSON object whose <c>OTA_state</c> member is a string
/// (<c>{"OTA_state":"OTA_STATE_IDLE"}</c>). Anything else is turned down with one sentence, never an exception: the body
/// comes from the network. Other members are ignored; when <c>OTA_state</c> appears twice the last one counts, as in the
/// stock server's <c>JSON.parse</c>.
/// </summary>
public static class HeartbeatJson
{
    /// <summary>Longest body read (a stock board's is about 40 bytes; its buffer holds 256).</summary>
    public const int MaxBodyBytes = 1024;

    /// <summary>Longest state kept; a longer one is turned down.</summary>
    public const int MaxStateLength = 64;

    /// <summary>The member the boards send.</summary>
    public const string StateMember = "OTA_state";

    /// <summary>Reads the state out of <paramref name="body"/>; false with <paramref name="error"/> when it is not a heartbeat.</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out string? state, out string? error)
    {
        state = null;
        error = null;
        if (body.Length > MaxBodyBytes)
        {
            error = $"the body is {body.Length} bytes: a heartbeat is at most {MaxBodyBytes}";
            return false;
        }
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 8, CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "the body is not a JSON object (a heartbeat is {\"OTA_state\":\"OTA_STATE_IDLE\"})";
                return false;
            }
            bool found = false;
            string? value = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                bool ours = reader.ValueTextEquals(StateMember);
                reader.Read();
                if (ours)
                {
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        error = $"\"{StateMember}\" is not a string";
                        return false;
                    }
                    found = true;
                    value = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
            if (reader.Read())
            {
                error = "the body goes on after its JSON object";
                return false;
            }
            if (!found || value is null)
            {
                error = $"the body has no \"{StateMember}\" (a heartbeat is {{\"{StateMember}\":\"OTA_STATE_IDLE\"}})";
                return false;
            }
            if (value.Length is 0 or > MaxStateLength || value.Any(char.IsControl))
            {
                error = $"\"{StateMember}\" must be 1 to {MaxStateLength} characters without control characters";
                return false;
            }
            state = value;
            return true;
        }
        catch (JsonException e)
        {
            error = $"the body is not JSON ({FirstSentence(e.Message)})";
            return false;
        }
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message.TrimEnd('.') : message[..end];
    }
}
