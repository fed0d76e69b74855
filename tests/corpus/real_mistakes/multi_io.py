"""Models with several inputs or outputs: each input's shape, targets per output."""

from __future__ import annotations

from . import CorrectModel, RealCase
from ._kit import L, N, feats, fn, ints, keras, onehot, tokens

T, VOCAB = 8, 30


# keras-team/keras#3109 (a comment): the two-input question-answering model of Deep Learning
# with Python (text LSTM + question LSTM -> softmax over answers) trained with
# categorical_crossentropy on integer answers: "expected activation_2 to have shape (None,
# 10) but got array with shape (3, 1)"; the answer: sparse_categorical_crossentropy.
def _qa(loss: str):
    text, question = keras.Input((None,), dtype="int32"), keras.Input((None,), dtype="int32")
    t = L.LSTM(16)(L.Embedding(VOCAB, 8)(text))
    q = L.LSTM(8)(L.Embedding(VOCAB, 8)(question))
    answer = L.Dense(10, activation="softmax")(L.Concatenate(axis=-1)([t, q]))
    x = [tokens(N, 12, VOCAB), tokens(N, 5, VOCAB, seed=1)]
    return fn([text, question], answer, loss), x, ints(N, 10)[:, None], {}


def qa_categorical_on_ids_broken():
    return _qa("categorical_crossentropy")


def qa_categorical_on_ids_fixed():
    return _qa("sparse_categorical_crossentropy")


# keras-team/keras#13086: price and sentiment inputs declared Input(shape=(dataLength, 51))
# for windows trainX (22234, 51, 1) of 51 past hours.
def _price_sentiment(shape: tuple):
    price, sentiment = keras.Input(shape, name="price"), keras.Input(shape, name="sentiment")
    h = L.concatenate([L.LSTM(16)(price), L.LSTM(16)(sentiment)])
    return fn([price, sentiment], L.Dense(1, name="output")(h)), \
        [feats(N, 51, 1), feats(N, 51, 1, seed=1)], feats(N, 1, seed=2), {}


def inputs_declared_with_samples_broken():
    return _price_sentiment((N, 51))


def inputs_declared_with_samples_fixed():
    return _price_sentiment((51, 1))


# keras-team/keras-applications#144: an LSTM and a BLSTM in parallel on Input(shape=(None,
# 64)), fit on one sequence of shape (6, 64): "expected input_17 to have 3 dimensions".
def _parallel(x, y):
    i = keras.Input((None, 64))
    merged = L.concatenate([L.LSTM(16, return_sequences=True)(i),
                            L.Bidirectional(L.LSTM(16, return_sequences=True))(i)])
    h = L.LSTM(16, return_sequences=True)(merged)
    out = L.Dense(5, activation="sigmoid")(h)
    return fn(i, out, "binary_crossentropy"), x, y, {}


def one_sequence_no_batch_broken():
    return _parallel(feats(6, 64), (feats(6, 5, seed=1) > 0).astype("float32"))


def one_sequence_no_batch_fixed():
    return _parallel(feats(6, 64)[None], (feats(6, 5, seed=1) > 0).astype("float32")[None])


# keras-team/keras#6985: two KPI inputs Input(shape=(len(datasetX_new), 3), dtype='int32')
# through Embedding, concatenated into an LSTM: "expected ndim=3, found ndim=4".
def _kpis(shape: tuple, last_sequences: bool):
    a, b = keras.Input(shape, dtype="int32"), keras.Input(shape, dtype="int32")
    merged = L.concatenate([L.Embedding(VOCAB, 8)(a), L.Embedding(VOCAB, 8)(b)])
    h = L.LSTM(8, return_sequences=last_sequences)(merged)
    h = L.Dense(8, activation="relu")(h)
    out = L.Dense(1, activation="sigmoid", name="main_output")(h)
    x = [tokens(N, 3, VOCAB, min_len=3), tokens(N, 3, VOCAB, seed=1, min_len=3)]
    return fn([a, b], out, "binary_crossentropy"), x, (ints(N, 2) > 0).astype("float32"), {}


def kpi_embeddings_4d_broken():
    return _kpis((N, 3), True)


def kpi_embeddings_4d_fixed():
    return _kpis((3,), False)


# keras-team/keras#8816: a vector input merged with an Embedding -> LSTM(100,
# return_sequences=True) branch: "dimension mismatch error in the Merge step".
def _merge_vector(sequences: bool):
    vec, ids = keras.Input((6,)), keras.Input((T,), dtype="int32")
    h = L.LSTM(16, return_sequences=sequences)(L.Embedding(VOCAB, 8, mask_zero=True)(ids))
    merged = L.Concatenate(axis=1)([h, vec])
    out = L.Dense(1)(L.Dense(16, activation="relu")(merged))
    return fn([ids, vec], out), [tokens(N, T, VOCAB), feats(N, 6)], feats(N, 1, seed=1), {}


def vector_with_sequence_broken():
    return _merge_vector(True)


def vector_with_sequence_fixed():
    return _merge_vector(False)


# aspamers/siamese#4: a siamese LSTM base on input_shape (3, 3) "(number_of_steps,
# number_of_channels)" trained on x_train = np.random.rand(100, 3).
def _siamese(shape: tuple, x1, x2):
    base_in = keras.Input(shape)
    base = keras.Model(base_in, L.Dense(16)(L.Flatten()(L.LSTM(4)(base_in))))
    a, b = keras.Input(shape), keras.Input(shape)
    out = L.Dense(1, activation="sigmoid")(L.Concatenate()([base(a), base(b)]))
    y = (ints(len(x1), 2) > 0).astype("float32")
    return fn([a, b], out, "binary_crossentropy"), [x1, x2], y, {}


def siamese_flat_rows_broken():
    return _siamese((3, 3), feats(N, 3), feats(N, 3, seed=1))


def siamese_flat_rows_fixed():
    return _siamese((3, 1), feats(N, 3)[..., None], feats(N, 3, seed=1)[..., None])


# dhwajraj/deep-siamese-text-similarity#48: "I notice you padding the sentence with 0 to the
# fix length. Then will the padding number feed into [the LSTM] and influence the output?"
def _siamese_text(mask: bool):
    a, b = keras.Input((T,), dtype="int32"), keras.Input((T,), dtype="int32")
    embed, encode = L.Embedding(VOCAB, 8, mask_zero=mask), L.LSTM(8)
    ea, eb = encode(embed(a)), encode(embed(b))
    distance = L.Lambda(lambda t: keras.ops.abs(t[0] - t[1]))([ea, eb])
    out = L.Dense(1, activation="sigmoid")(distance)
    x = [tokens(N, T, VOCAB), tokens(N, T, VOCAB, seed=1)]
    return fn([a, b], out, "binary_crossentropy"), x, (ints(N, 2) > 0).astype("float32"), {}


def siamese_padding_broken():
    return _siamese_text(False)


def siamese_padding_fixed():
    return _siamese_text(True)

CASES = [
    RealCase("qa_two_inputs_categorical_on_integer_answers", "multi_io",
             "https://github.com/keras-team/keras/issues/3109",
             "the two-input LSTM question-answering model with categorical_crossentropy and "
             "integer answers: 'expected activation_2 to have shape (None, 10) but got array "
             "with shape (3, 1)'",
             "loss_label_encoding_mismatch", True, qa_categorical_on_ids_broken,
             qa_categorical_on_ids_fixed),
    RealCase("two_inputs_declared_with_sample_count", "multi_io",
             "https://github.com/keras-team/keras/issues/13086",
             "price and sentiment inputs Input(shape=(dataLength, 51)) for trainX (22234, 51, "
             "1): the model does not fit the data",
             "batch_in_input_shape", True, inputs_declared_with_samples_broken,
             inputs_declared_with_samples_fixed, accept=("input_shape_data_mismatch",)),
    RealCase("one_sequence_without_batch_axis", "multi_io",
             "https://github.com/keras-team/keras-applications/issues/144",
             "LSTM and BLSTM branches on Input(shape=(None, 64)) fit on an array of shape (6, "
             "64): 'expected input_17 to have 3 dimensions'",
             "missing_timestep_axis", True, one_sequence_no_batch_broken,
             one_sequence_no_batch_fixed, accept=("wrong_rank",)),
    RealCase("two_embedding_inputs_4d_into_lstm", "multi_io",
             "https://github.com/keras-team/keras/issues/6985",
             "two inputs Input(shape=(len(dataset), 3), dtype='int32') through Embedding into "
             "an LSTM: 'expected ndim=3, found ndim=4'",
             "embedding_input_rank", True, kpi_embeddings_4d_broken, kpi_embeddings_4d_fixed,
             accept=("batch_in_input_shape", "wrong_rank")),
    RealCase("vector_input_merged_with_lstm_sequence", "multi_io",
             "https://github.com/keras-team/keras/issues/8816",
             "an Input(shape=(SEQ_LEN,)) merged with an LSTM(100, return_sequences=True) "
             "branch: a dimension mismatch in the merge",
             "unexpected_sequence_output", True, vector_with_sequence_broken,
             vector_with_sequence_fixed, accept=("wrong_rank", "dimension_mismatch")),
    RealCase("siamese_lstm_on_flat_rows", "multi_io",
             "https://github.com/aspamers/siamese/issues/4",
             "a siamese LSTM base with input_shape (3, 3) trained on x_train = "
             "np.random.rand(100, 3): a shape error",
             "input_shape_data_mismatch", True, siamese_flat_rows_broken,
             siamese_flat_rows_fixed, accept=("missing_timestep_axis",)),
    RealCase("siamese_text_padding_without_mask", "multi_io",
             "https://github.com/dhwajraj/deep-siamese-text-similarity/issues/48",
             "sentences zero-padded to a fixed length before the shared LSTM: 'will the "
             "padding number ... influence the output?'",
             "padding_without_mask", False, siamese_padding_broken, siamese_padding_fixed,
             note="the poster's TensorFlow model, rebuilt in Keras"),
]


# Correct models ----------------------------------------------------------------------------

def functional_api_guide_tickets():
    """keras.io functional API guide: title/body LSTMs + tags -> priority and department."""
    title = keras.Input((None,), name="title", dtype="int32")
    body = keras.Input((None,), name="body", dtype="int32")
    tags = keras.Input((12,), name="tags")
    t = L.LSTM(16)(L.Embedding(VOCAB, 8)(title))
    b = L.LSTM(8)(L.Embedding(VOCAB, 8)(body))
    h = L.concatenate([t, b, tags])
    priority = L.Dense(1, name="priority")(h)
    department = L.Dense(4, name="department")(h)
    model = keras.Model([title, body, tags], {"priority": priority, "department": department})
    model.compile(optimizer="adam",
                  loss={"priority": keras.losses.BinaryCrossentropy(from_logits=True),
                        "department": keras.losses.CategoricalCrossentropy(from_logits=True)},
                  loss_weights={"priority": 1.0, "department": 0.2})
    x = {"title": tokens(N, 10, VOCAB), "body": tokens(N, 20, VOCAB, seed=1),
         "tags": (feats(N, 12) > 0).astype("float32")}
    y = {"priority": feats(N, 1, seed=2), "department": onehot(ints(N, 4), 4)}
    return model, x, y, {}


def video_features_with_mask():
    """keras.io video classification (CNN-RNN): frame features + a mask input -> GRU -> GRU."""
    frames, mask_in = keras.Input((T, 16)), keras.Input((T,), dtype="bool")
    h = L.GRU(16, return_sequences=True)(frames, mask=mask_in)
    h = L.GRU(8)(h)
    out = L.Dense(5, activation="softmax")(L.Dropout(0.4)(h))
    mask = feats(N, T) > -1.0
    mask[:, 0] = True
    return fn([frames, mask_in], out, "sparse_categorical_crossentropy"), \
        [feats(N, T, 16), mask], ints(N, 5), {}


def logits_and_probs_outputs():
    """tensorflow#38313: four outputs (logits and probabilities of two tasks), losses and
    dict targets for the logits only (Keras 3 pairs them by name)."""
    i = keras.Input((T, 4))
    h = L.LSTM(16)(i)
    a_logits, b_logits = L.Dense(4, name="task_a_logits")(h), L.Dense(3, name="task_b_logits")(h)
    outputs = {"task_a_logits": a_logits, "task_a_probs": L.Softmax(name="task_a_probs")(a_logits),
               "task_b_logits": b_logits, "task_b_probs": L.Softmax(name="task_b_probs")(b_logits)}
    model = keras.Model(i, outputs)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer="adam", loss={"task_a_logits": loss, "task_b_logits": loss})
    y = {"task_a_logits": ints(N, 4), "task_b_logits": ints(N, 3, seed=1)}
    return model, feats(N, T, 4), y, {}


CORRECT = [
    CorrectModel("functional_api_guide_tickets", "multi_io",
                 "https://keras.io/guides/functional_api/", functional_api_guide_tickets),
    CorrectModel("video_features_with_mask", "multi_io",
                 "https://keras.io/examples/vision/video_classification/",
                 video_features_with_mask),
    CorrectModel("logits_and_probs_outputs", "multi_io",
                 "https://github.com/tensorflow/tensorflow/issues/38313",
                 logits_and_probs_outputs),
]
