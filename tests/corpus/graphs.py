"""Models shared by the tests: a seq2seq graph and a subclassed chain of layers."""

from __future__ import annotations

import keras

L = keras.layers


def seq2seq(units: int = 64, embed: int = 32, vocab: tuple[int, int] = (500, 400)
            ) -> keras.Model:
    """Token ids -> Embedding -> encoder LSTM(return_state); its [h, c] start the decoder.

    Inputs ``encoder_tokens`` (batch, 12) and ``decoder_tokens`` (batch, 9) of int32 ids;
    output (batch, 9, vocab[1]) from ``next_token``.
    """
    enc_in = keras.Input((12,), dtype="int32", name="encoder_tokens")
    dec_in = keras.Input((9,), dtype="int32", name="decoder_tokens")
    _, h, c = L.LSTM(units, return_state=True, name="encoder")(
        L.Embedding(vocab[0], embed, name="enc_embed")(enc_in))
    out = L.LSTM(units, return_sequences=True, name="decoder")(
        L.Embedding(vocab[1], embed, name="dec_embed")(dec_in), initial_state=[h, c])
    return keras.Model([enc_in, dec_in], L.Dense(vocab[1], name="next_token")(out),
                       name="translator")


class Chain(keras.Model):
    """A subclassed model that applies ``layers`` in turn: no Keras graph to follow.

    ``Chain(L.LSTM(4), L.Dense(1))`` maps (batch, timesteps, features) to (batch, 1).
    """

    def __init__(self, *layers: keras.layers.Layer, name: str = "chain") -> None:
        super().__init__(name=name)
        self.chain = list(layers)

    def call(self, x):
        for layer in self.chain:
            x = layer(x)
        return x
